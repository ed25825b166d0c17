//===- CodegenTest.cpp - NVRTC wrapper, host compiler, emitter ------------===//

#include "codegen/CudaEmitter.h"
#include "codegen/HostCompiler.h"
#include "codegen/NvrtcCompiler.h"
#include "dialects/DS/DSDialect.h"
#include "runtime/HostModule.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

#include <vector>

using namespace mlir;
using namespace mlir::ds;

namespace {

TEST(PtxasReport, ParsesRegistersSpillsAndSharedMemory) {
  ::ds::runtime::KernelBinary b;
  parsePtxasResourceUsage(
      "ptxas info    : Compiling entry function 'k' for 'sm_90'\n"
      "ptxas info    : Function properties for k\n"
      "    8 bytes stack frame, 4 bytes spill stores, 12 bytes spill loads\n"
      "ptxas info    : Used 40 registers, used 1 barriers, 2176 bytes smem, "
      "380 bytes cmem[0]\n",
      b);
  EXPECT_EQ(b.registers, 40);
  EXPECT_EQ(b.spillStoreBytes, 4);
  EXPECT_EQ(b.spillLoadBytes, 12);
  EXPECT_EQ(b.sharedBytes, 2176);
}

TEST(PtxasReport, NoSharedMemoryMeansZero) {
  ::ds::runtime::KernelBinary b;
  parsePtxasResourceUsage("ptxas info    : Used 8 registers, 356 bytes "
                          "cmem[0]\n    0 bytes stack frame, 0 bytes spill "
                          "stores, 0 bytes spill loads\n",
                          b);
  EXPECT_EQ(b.registers, 8);
  EXPECT_EQ(b.sharedBytes, 0);
  EXPECT_EQ(b.spillStoreBytes, 0);
}

const char *kScaleKernel = R"(
extern "C" __global__ void scale(const float *__restrict__ in, float *__restrict__ out) {
  unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < 100u) out[i] = 2.0f * in[i];
}
)";

TEST(Nvrtc, CompilesCubinAndPtxOrSaysWhyNot) {
  NvrtcOutput cubin = compileWithNvrtc(kScaleKernel, "scale", "sm_90");
  if (!isNvrtcAvailable()) {
    EXPECT_FALSE(cubin.ok);
    EXPECT_NE(cubin.log.find("without the CUDA toolkit"), std::string::npos);
    return;
  }
  ASSERT_TRUE(cubin.ok) << cubin.log;
  EXPECT_EQ(cubin.binary.target, "sm_90");
  // A CUBIN is an ELF file.
  ASSERT_GT(cubin.binary.data.size(), 4u);
  EXPECT_EQ(cubin.binary.data.substr(1, 3), "ELF");
  EXPECT_GT(cubin.binary.registers, 0);
  EXPECT_EQ(cubin.binary.spillStoreBytes, 0);

  NvrtcOutput ptx = compileWithNvrtc(kScaleKernel, "scale", "compute_80");
  ASSERT_TRUE(ptx.ok) << ptx.log;
  EXPECT_NE(ptx.binary.data.find(".entry scale"), std::string::npos);
  EXPECT_EQ(ptx.binary.registers, -1);
}

TEST(Nvrtc, CompileErrorCarriesTheLog) {
  if (!isNvrtcAvailable())
    GTEST_SKIP() << "built without NVRTC";
  NvrtcOutput out =
      compileWithNvrtc("extern \"C\" __global__ void broken(float *p) { p[0] = "
                       "undefined_name; }",
                       "broken", "sm_80");
  EXPECT_FALSE(out.ok);
  EXPECT_NE(out.log.find("undefined_name"), std::string::npos) << out.log;
}

TEST(HostCompiler, WrapperUnpacksEveryArgument) {
  HostKernel k{"scale", kScaleKernel, {"const float *", "float *"}};
  std::string w = getHostLaunchWrapper(k);
  EXPECT_NE(w.find("extern \"C\" int ds_emu_launch_scale(void **args"),
            std::string::npos);
  EXPECT_NE(w.find("*reinterpret_cast<const float * const *>(args[0])"),
            std::string::npos);
  EXPECT_NE(w.find("*reinterpret_cast<float * const *>(args[1])"),
            std::string::npos);
}

TEST(HostCompiler, BuildsALoadableModuleThatRunsTheKernel) {
  HostKernel k{"scale", kScaleKernel, {"const float *", "float *"}};
  HostModuleResult r = compileHostModule({k});
  ASSERT_TRUE(r.ok) << r.log;
  auto module = ::ds::runtime::HostModule::load(r.module);
  ASSERT_TRUE(module.isOk()) << module.status().message();
  std::vector<float> in(100), out(100, -1.0f);
  for (int i = 0; i < 100; ++i)
    in[i] = static_cast<float>(i);
  const float *inPtr = in.data();
  float *outPtr = out.data();
  void *args[] = {&inPtr, &outPtr};
  unsigned grid[3] = {4, 1, 1}, block[3] = {32, 1, 1};
  auto fn = (*module)->lookup("scale");
  ASSERT_TRUE(fn.isOk()) << fn.status().message();
  auto st = (*module)->launch(*fn, "scale", args, grid, block, 0);
  ASSERT_TRUE(st.isOk()) << st.message();
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(out[i], 2.0f * i);
}

TEST(HostCompiler, SyntaxErrorReportsTheCompilerOutput) {
  HostKernel k{"bad", "this is not C++", {}};
  HostModuleResult r = compileHostModule({k});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.log.find("error"), std::string::npos) << r.log;
}

TEST(HostCompiler, IsDeterministic) {
  HostKernel k{"scale", kScaleKernel, {"const float *", "float *"}};
  HostModuleResult a = compileHostModule({k});
  HostModuleResult b = compileHostModule({k});
  ASSERT_TRUE(a.ok && b.ok);
  EXPECT_EQ(a.module, b.module);
}

EmittedKernel kernel(std::string name, std::string comment, std::string body) {
  EmittedKernel k;
  k.name = name;
  k.source = "// ds kernel " + name + ": " + comment + "\n" +
             "extern \"C\" __global__ void " + name + "(float *out) {\n" +
             body + "}\n";
  k.paramTypes = {"float *"};
  return k;
}

TEST(UniqueKernels, SharesKernelsEqualUpToTheirNameAndComment) {
  std::vector<EmittedKernel> in = {
      kernel("k0_add", "ds.add (/a/Add)", "  out[0] = 1;\n"),
      kernel("k1_mul", "ds.mul (/Mul)", "  out[0] = 2;\n"),
      kernel("k2_add", "ds.add (/b/Add)", "  out[0] = 1;\n"),
      // The name used elsewhere as a whole identifier is part of the name;
      // inside a longer identifier it is body text.
      kernel("k3_add", "ds.add (/c/Add)", "  int k3_add_x = 1; out[0] = 1;\n"),
      kernel("k4_add", "ds.add (/d/Add)", "  int k4_add_x = 1; out[0] = 1;\n"),
  };
  UniqueKernels u = uniqueKernels(in);
  ASSERT_EQ(u.kernels.size(), 4u);
  EXPECT_EQ(u.indexOf, (SmallVector<uint32_t>{0, 1, 0, 2, 3}));
  EXPECT_EQ(u.kernels[0].name, "k0_add");
  EXPECT_EQ(u.kernels[1].name, "k1_mul");
  EXPECT_EQ(u.kernels[2].name, "k2_add");
  EXPECT_EQ(u.kernels[3].name, "k3_add");
  // The first occurrence's source and comment, under the new name.
  EXPECT_EQ(u.kernels[2].source,
            "// ds kernel k2_add: ds.add (/c/Add)\n"
            "extern \"C\" __global__ void k2_add(float *out) {\n"
            "  int k3_add_x = 1; out[0] = 1;\n}\n");

  // Different parameter types: different kernels.
  std::vector<EmittedKernel> typed = {in[0], in[2]};
  typed[1].paramTypes = {"void *"};
  EXPECT_EQ(uniqueKernels(typed).kernels.size(), 2u);

  // Unshared: every kernel kept, renamed by position.
  UniqueKernels all = uniqueKernels(in, /*share=*/false);
  ASSERT_EQ(all.kernels.size(), 5u);
  EXPECT_EQ(all.indexOf, (SmallVector<uint32_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(all.kernels[4].name, "k4_add");
}

TEST(CudaEmitter, KernelNamesAndTextAreDeterministic) {
  const char *ir = R"(
    func.func @main(%x: tensor<8x16xf32>, %w: tensor<16x4xf32>) -> tensor<8x4xf32> {
      %0 = ds.matmul %x, %w : (tensor<8x16xf32>, tensor<16x4xf32>) -> tensor<8x4xf32>
      %1 = ds.softmax %0 : tensor<8x4xf32>
      return %1 : tensor<8x4xf32>
    })";
  auto emit = [&] {
    DialectRegistry registry;
    registry.insert<DSDialect, func::FuncDialect>();
    MLIRContext ctx(registry);
    OwningOpRef<ModuleOp> m = parseSourceString<ModuleOp>(ir, &ctx);
    EXPECT_TRUE(m);
    auto func = *m->getOps<func::FuncOp>().begin();
    FailureOr<KernelProgram> p = emitCudaKernels(func);
    EXPECT_TRUE(succeeded(p));
    std::vector<std::string> out;
    for (const EmittedKernel &k : p->kernels)
      out.push_back(k.name + "\n" + k.source);
    return out;
  };
  std::vector<std::string> a = emit(), b = emit();
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a[0].substr(0, a[0].find('\n')), "k0_matmul");
  EXPECT_EQ(a[1].substr(0, a[1].find('\n')), "k1_softmax");
}

} // namespace
