//===- SessionTest.cpp - runtime Session and HostModule tests -------------===//
//
// Builds a small artifact by hand: out = view(relu(x + w), [3,2]) @ m, with
// two CUDA kernels whose source is compiled for the host against CudaEmu.h
// (DS_HOST_CXX, DS_EMU_INCLUDE_DIR) into the host module. Runs it through a
// Session on the CPU and compares with the reference executor; GPU tests run
// the same program from PTX and skip without a GPU.
//
//===----------------------------------------------------------------------===//

#include "runtime/Session.h"
#include "runtime/Buckets.h"
#include "runtime/CudaDriver.h"
#include "runtime/HostModule.h"
#include "runtime/Reference.h"

#include "gtest/gtest.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <unistd.h>

using namespace ds::runtime;
using ds::runtime::cu::CudaDriver;
namespace fs = std::filesystem;

namespace {

//===----------------------------------------------------------------------===//
// Kernels and the host module
//===----------------------------------------------------------------------===//

/// CUDA source of the test kernels, valid for both nvcc/NVRTC and the host
/// emulation.
const char *const kKernelSource = R"cuda(
extern "C" __global__ void add_relu(const float *x, const float *w, float *y) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < 6)
    y[i] = fmaxf(x[i] + w[i], 0.0f);
}

// c[3x2] = a[3x2] @ b[2x2]; one thread per output element, a staged through
// shared memory to exercise __syncthreads.
extern "C" __global__ void matmul_3x2x2(const float *a, const float *b,
                                        float *c) {
  __shared__ float tile[6];
  int col = threadIdx.x, row = threadIdx.y;
  tile[row * 2 + col] = a[row * 2 + col];
  __syncthreads();
  float acc = 0.0f;
  for (int k = 0; k < 2; ++k)
    acc += tile[row * 2 + k] * b[k * 2 + col];
  c[row * 2 + col] = acc;
}
)cuda";

/// The same kernels as PTX (nvcc -ptx -arch=compute_75, .version lowered to
/// 7.0 so that any CUDA 11+ driver JIT-compiles it).
const char *const kKernelPtx = R"ptx(
.version 7.0
.target sm_75
.address_size 64

.visible .entry add_relu(
	.param .u64 add_relu_param_0,
	.param .u64 add_relu_param_1,
	.param .u64 add_relu_param_2
)
{
	.reg .pred 	%p<2>;
	.reg .f32 	%f<6>;
	.reg .b32 	%r<5>;
	.reg .b64 	%rd<11>;

	ld.param.u64 	%rd1, [add_relu_param_0];
	ld.param.u64 	%rd2, [add_relu_param_1];
	ld.param.u64 	%rd3, [add_relu_param_2];
	mov.u32 	%r2, %ctaid.x;
	mov.u32 	%r3, %ntid.x;
	mov.u32 	%r4, %tid.x;
	mad.lo.s32 	%r1, %r2, %r3, %r4;
	setp.gt.s32 	%p1, %r1, 5;
	@%p1 bra 	$L__BB0_2;

	cvta.to.global.u64 	%rd4, %rd1;
	mul.wide.s32 	%rd5, %r1, 4;
	add.s64 	%rd6, %rd4, %rd5;
	cvta.to.global.u64 	%rd7, %rd2;
	add.s64 	%rd8, %rd7, %rd5;
	ld.global.f32 	%f1, [%rd8];
	ld.global.f32 	%f2, [%rd6];
	add.f32 	%f3, %f2, %f1;
	mov.f32 	%f4, 0f00000000;
	max.f32 	%f5, %f3, %f4;
	cvta.to.global.u64 	%rd9, %rd3;
	add.s64 	%rd10, %rd9, %rd5;
	st.global.f32 	[%rd10], %f5;

$L__BB0_2:
	ret;
}

.visible .entry matmul_3x2x2(
	.param .u64 matmul_3x2x2_param_0,
	.param .u64 matmul_3x2x2_param_1,
	.param .u64 matmul_3x2x2_param_2
)
{
	.reg .f32 	%f<7>;
	.reg .b32 	%r<5>;
	.reg .b64 	%rd<13>;

	ld.param.u64 	%rd1, [matmul_3x2x2_param_0];
	ld.param.u64 	%rd2, [matmul_3x2x2_param_1];
	ld.param.u64 	%rd3, [matmul_3x2x2_param_2];
	cvta.to.global.u64 	%rd4, %rd2;
	cvta.to.global.u64 	%rd5, %rd1;
	mov.u32 	%r1, %tid.x;
	mov.u32 	%r2, %tid.y;
	shl.b32 	%r3, %r2, 1;
	cvta.to.global.u64 	%rd6, %rd3;
	mul.wide.s32 	%rd7, %r3, 4;
	add.s64 	%rd8, %rd5, %rd7;
	ld.global.f32 	%f1, [%rd8];
	mul.wide.s32 	%rd9, %r1, 4;
	add.s64 	%rd10, %rd4, %rd9;
	ld.global.f32 	%f2, [%rd10];
	fma.rn.f32 	%f3, %f1, %f2, 0f00000000;
	ld.global.f32 	%f4, [%rd8+4];
	ld.global.f32 	%f5, [%rd10+8];
	fma.rn.f32 	%f6, %f4, %f5, %f3;
	add.s32 	%r4, %r3, %r1;
	mul.wide.s32 	%rd11, %r4, 4;
	add.s64 	%rd12, %rd6, %rd11;
	st.global.f32 	[%rd12], %f6;
	ret;
}
)ptx";

/// The host-module entry point of `kernel` (see HostModule.h): unpacks the
/// kernelParams-style args and launches on the emulation.
std::string launchWrapper(const std::string &kernel,
                          const std::vector<std::string> &paramTypes) {
  std::ostringstream os;
  os << "extern \"C\" __attribute__((visibility(\"default\"))) int "
     << kHostLaunchPrefix << kernel
     << "(void **args, const unsigned *grid, const unsigned *block, "
        "unsigned dynamicSharedBytes) {\n";
  for (size_t i = 0; i < paramTypes.size(); ++i)
    os << "  auto *a" << i << " = static_cast<" << paramTypes[i]
       << ">(*static_cast<void **>(args[" << i << "]));\n";
  os << "  return ds_emu::launch(dim3(grid[0], grid[1], grid[2]), "
        "dim3(block[0], block[1], block[2]), dynamicSharedBytes, [&] { "
     << kernel << "(";
  for (size_t i = 0; i < paramTypes.size(); ++i)
    os << (i ? ", " : "") << "a" << i;
  os << "); });\n}\n";
  return os.str();
}

std::string readFile(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

/// Compiles `source` with the host compiler against the emulation headers and
/// returns the shared object's bytes. Results are cached on disk, keyed by
/// the source and the emulation headers, because ctest runs every test in its
/// own process.
std::string compileHostModule(const std::string &body) {
  // A machine with the runtime but not the source tree or the compiler (the
  // GPU machine of scripts/gpu-check) skips the host-module tests.
  std::error_code ec;
  if (!fs::is_directory(DS_EMU_INCLUDE_DIR, ec) || !fs::exists(DS_HOST_CXX, ec))
    return "";
  std::string source = "#include \"CudaEmu.h\"\n" + body;
  std::string key = source + DS_HOST_CXX;
  for (const fs::directory_entry &e :
       fs::directory_iterator(DS_EMU_INCLUDE_DIR))
    if (e.is_regular_file())
      key += e.path().filename().string() + readFile(e.path());
  fs::path dir = fs::path(testing::TempDir()) / "ds-session-test";
  fs::create_directories(dir);
  fs::path so =
      dir / ("host-" + std::to_string(std::hash<std::string>()(key)) + ".so");
  if (fs::exists(so))
    return readFile(so);

  std::string stem = (dir / ("build-" + std::to_string(::getpid()))).string();
  std::ofstream(stem + ".cpp") << source;
  std::string cmd = std::string("\"") + DS_HOST_CXX +
                    "\" -std=c++17 -O2 -fPIC -shared -I \"" +
                    DS_EMU_INCLUDE_DIR + "\" \"" + stem + ".cpp\" -o \"" +
                    stem + ".so\" 2> \"" + stem + ".log\"";
  if (std::system(cmd.c_str()) != 0) {
    ADD_FAILURE() << "host compile failed: " << cmd << "\n"
                  << readFile(stem + ".log");
    return "";
  }
  std::string bytes = readFile(stem + ".so");
  // Publish atomically: parallel test processes may race here.
  fs::rename(stem + ".so", so);
  fs::remove(stem + ".cpp");
  fs::remove(stem + ".log");
  return bytes;
}

const std::string &testHostModule() {
  static const std::string bytes = compileHostModule(
      std::string(kKernelSource) +
      launchWrapper("add_relu", {"const float *", "const float *", "float *"}) +
      launchWrapper("matmul_3x2x2",
                    {"const float *", "const float *", "float *"}));
  return bytes;
}

//===----------------------------------------------------------------------===//
// The test artifact
//===----------------------------------------------------------------------===//

BufferDesc buffer(BufferDesc::Kind kind, std::string name,
                  std::vector<int64_t> shape, uint64_t offset,
                  uint32_t aliasOf = 0) {
  BufferDesc b;
  b.kind = kind;
  b.name = std::move(name);
  b.type = TensorType{DType::F32, std::move(shape)};
  b.offset = offset;
  b.aliasOf = aliasOf;
  return b;
}

RefOp refOp(std::string op, std::vector<uint32_t> operands,
            std::vector<uint32_t> results) {
  RefOp r;
  r.op = std::move(op);
  r.operands = std::move(operands);
  r.results = std::move(results);
  r.location = "test/" + r.op;
  return r;
}

LaunchDesc launch(uint32_t kernel, std::array<uint32_t, 3> block,
                  std::vector<uint32_t> args) {
  LaunchDesc l;
  l.kernel = kernel;
  for (int i = 0; i < 3; ++i)
    l.block[i] = block[i];
  l.args = std::move(args);
  return l;
}

/// h = relu(x + w); out = view(h, [3,2]) @ m. Outputs: (out, h).
Artifact makeArtifact() {
  using K = BufferDesc::Kind;
  Artifact a;
  a.producer = "SessionTest";
  a.buffers = {
      buffer(K::Input, "x", {2, 3}, 0),         // 0
      buffer(K::Weight, "w", {2, 3}, 0),        // 1
      buffer(K::Output, "h", {2, 3}, 256),      // 2
      buffer(K::View, "", {3, 2}, 0, 2),        // 3
      buffer(K::Constant, "m", {2, 2}, 64),     // 4
      buffer(K::Output, "out", {3, 2}, 512),    // 5
      buffer(K::Intermediate, "", {2, 3}, 768), // 6: x + w (reference only)
  };
  a.inputs = {0};
  a.outputs = {5, 2};
  a.arenaBytes = 1024;
  KernelDesc addRelu, matmul;
  addRelu.name = "add_relu";
  matmul.name = "matmul_3x2x2";
  addRelu.source = matmul.source = kKernelSource;
  a.kernels = {addRelu, matmul};
  a.launches = {launch(0, {32, 1, 1}, {0, 1, 2}),
                launch(1, {2, 3, 1}, {3, 4, 5})};
  a.reference = {refOp("add", {0, 1}, {6}), refOp("relu", {6}, {2}),
                 refOp("reshape", {2}, {3}), refOp("matmul", {3, 4}, {5})};
  std::vector<float> w = {1, -1, 0.5f, -0.5f, 2, -2};
  std::vector<float> m = {1, 2, 3, 4};
  a.weights.assign(128, '\0');
  std::memcpy(a.weights.data(), w.data(), w.size() * 4);
  std::memcpy(a.weights.data() + 64, m.data(), m.size() * 4);
  a.hostModule = testHostModule();
  return a;
}

/// Writes `a` to a fresh file and returns its path.
std::string writeArtifact(const Artifact &a, const std::string &name) {
  fs::path dir = fs::path(testing::TempDir()) / "ds-session-test";
  fs::create_directories(dir);
  std::string path =
      (dir / (name + "-" + std::to_string(::getpid()) + ".dsa")).string();
  Status s = writeArtifactFile(a, path);
  EXPECT_TRUE(s) << s.message();
  return path;
}

HostTensor makeInput(std::vector<float> values) {
  HostTensor t(TensorType{DType::F32, {2, 3}});
  std::memcpy(t.bytes.data(), values.data(), values.size() * 4);
  return t;
}

std::vector<float> floats(const HostTensor &t) {
  std::vector<float> v(t.type.numElements());
  std::memcpy(v.data(), t.bytes.data(), v.size() * 4);
  return v;
}

void expectMatchesReference(const Session &session,
                            const std::vector<HostTensor> &inputs,
                            const std::vector<HostTensor> &outputs) {
  auto ref = runReferenceProgram(session.artifact(), inputs);
  ASSERT_TRUE(ref) << ref.status().message();
  ASSERT_EQ(ref->size(), outputs.size());
  for (size_t i = 0; i < outputs.size(); ++i) {
    EXPECT_EQ(outputs[i].type, (*ref)[i].type);
    std::vector<float> got = floats(outputs[i]), want = floats((*ref)[i]);
    ASSERT_EQ(got.size(), want.size());
    for (size_t j = 0; j < got.size(); ++j)
      EXPECT_NEAR(got[j], want[j], 1e-6 + 1e-6 * std::fabs(want[j]))
          << "output " << i << " element " << j;
  }
}

class SessionTest : public testing::Test {
protected:
  void SetUp() override {
    if (testHostModule().empty())
      GTEST_SKIP() << "host compiler unavailable";
  }
};

/// The CUDA cases: they need a GPU, not the host module.
class SessionCudaTest : public testing::Test {};

//===----------------------------------------------------------------------===//
// CPU (host module on the CUDA emulation)
//===----------------------------------------------------------------------===//

TEST_F(SessionTest, CpuRunMatchesReference) {
  std::string path = writeArtifact(makeArtifact(), "cpu");
  auto session = Session::load(path, {DeviceKind::Cpu, 0});
  ASSERT_TRUE(session) << session.status().message();
  Session &s = **session;
  EXPECT_EQ(s.device(), DeviceKind::Cpu);
  EXPECT_EQ(s.deviceName(), "cpu (CUDA emulation)");

  std::vector<TensorInfo> ins = s.inputs(), outs = s.outputs();
  ASSERT_EQ(ins.size(), 1u);
  EXPECT_EQ(ins[0].name, "x");
  EXPECT_EQ(ins[0].type.str(), TensorType({DType::F32, {2, 3}}).str());
  ASSERT_EQ(outs.size(), 2u);
  EXPECT_EQ(outs[0].name, "out");
  EXPECT_EQ(outs[0].type, (TensorType{DType::F32, {3, 2}}));
  EXPECT_EQ(outs[1].name, "h");

  std::vector<HostTensor> inputs = {makeInput({0, 0, 0, 1, 1, 1})};
  std::vector<HostTensor> outputs;
  Status r = s.run(inputs, outputs);
  ASSERT_TRUE(r) << r.message();
  ASSERT_EQ(outputs.size(), 2u);
  // h = relu([1,-1,.5,.5,3,-1]); out = [[1,0],[.5,.5],[3,0]] @ [[1,2],[3,4]].
  EXPECT_EQ(floats(outputs[1]), (std::vector<float>{1, 0, 0.5f, 0.5f, 3, 0}));
  EXPECT_EQ(floats(outputs[0]), (std::vector<float>{1, 2, 2, 3, 3, 6}));
  expectMatchesReference(s, inputs, outputs);

  Session::RunStats stats = s.lastRunStats();
  EXPECT_EQ(stats.perLaunchMs.size(), 2u);
  EXPECT_EQ(stats.launches, 2u);
  EXPECT_FALSE(stats.cudaGraph);
  EXPECT_EQ(stats.bytesCopiedH2D, 24u);
  EXPECT_EQ(stats.bytesCopiedD2H, 48u);
  EXPECT_GE(stats.totalMs, 0.0);
  std::remove(path.c_str());
}

TEST_F(SessionTest, RepeatedRunsUseFreshInputs) {
  std::string path = writeArtifact(makeArtifact(), "repeat");
  auto session = Session::load(path, {DeviceKind::Cpu, 0});
  ASSERT_TRUE(session) << session.status().message();
  for (float scale : {1.0f, -2.0f, 0.25f}) {
    std::vector<HostTensor> inputs = {
        makeInput({scale, 2 * scale, -scale, 0, 3 * scale, 1})};
    std::vector<HostTensor> outputs;
    Status r = (*session)->run(inputs, outputs);
    ASSERT_TRUE(r) << r.message();
    expectMatchesReference(**session, inputs, outputs);
  }
  std::remove(path.c_str());
}

TEST_F(SessionTest, AutoFallsBackToCpuAndSaysWhy) {
  // The artifact carries no GPU binaries, so Auto lands on the CPU whether
  // or not this machine has a GPU, and keeps the reason.
  std::string path = writeArtifact(makeArtifact(), "auto");
  auto session = Session::load(path, {});
  ASSERT_TRUE(session) << session.status().message();
  EXPECT_EQ((*session)->device(), DeviceKind::Cpu);
  std::string name = (*session)->deviceName();
  EXPECT_EQ(name.rfind("cpu (CUDA emulation; ", 0), 0u) << name;
  if (!CudaDriver::get())
    EXPECT_NE(name.find("no GPU"), std::string::npos) << name;
  else
    EXPECT_NE(name.find("has no binary"), std::string::npos) << name;
  std::vector<HostTensor> outputs;
  ASSERT_TRUE((*session)->run({makeInput({1, 2, 3, 4, 5, 6})}, outputs));
  std::remove(path.c_str());
}

TEST_F(SessionTest, WrongInputShapeNamesInputAndTypes) {
  std::string path = writeArtifact(makeArtifact(), "shape");
  auto session = Session::load(path, {DeviceKind::Cpu, 0});
  ASSERT_TRUE(session) << session.status().message();
  HostTensor wrong(TensorType{DType::F32, {3, 2}});
  std::vector<HostTensor> outputs;
  Status r = (*session)->run({wrong}, outputs);
  ASSERT_FALSE(r);
  EXPECT_NE(r.message().find("input 'x'"), std::string::npos) << r.message();
  EXPECT_NE(r.message().find("tensor<2x3xf32>"), std::string::npos);
  EXPECT_NE(r.message().find("tensor<3x2xf32>"), std::string::npos);

  Status count = (*session)->run({}, outputs);
  ASSERT_FALSE(count);
  EXPECT_NE(count.message().find("expected 1 input(s), got 0"),
            std::string::npos)
      << count.message();

  HostTensor shortBytes = makeInput({1, 2, 3, 4, 5, 6});
  shortBytes.bytes.resize(8);
  Status bytes = (*session)->run({shortBytes}, outputs);
  ASSERT_FALSE(bytes);
  EXPECT_NE(bytes.message().find("holds 8 bytes"), std::string::npos);
  std::remove(path.c_str());
}

/// makeArtifact() with weight w in host memory: the constant m is the
/// resident prefix, w lies after it and is staged into slot 0 before the
/// launch that reads it.
Artifact makeTieredArtifact() {
  Artifact a = makeArtifact();
  std::string w = a.weights.substr(0, 24), m = a.weights.substr(64, 16);
  a.weights.assign(128, '\0');
  std::memcpy(a.weights.data(), m.data(), m.size());
  std::memcpy(a.weights.data() + 64, w.data(), w.size());
  a.buffers[4].offset = 0;  // m: resident
  a.buffers[1].offset = 64; // w: streamed
  a.buffers[1].streamed = true;
  a.plan.residentWeightBytes = 64;
  a.plan.stagingSlots = 1;
  a.plan.stagingSlotBytes = 256;
  a.plan.streamedBytesPerInference = 24;
  a.launches[0].stage = {{1, 0, 0}};
  return a;
}

TEST_F(SessionTest, StreamedWeightsGiveTheSameOutputs) {
  std::string plainPath = writeArtifact(makeArtifact(), "plain");
  std::string tieredPath = writeArtifact(makeTieredArtifact(), "tiered");
  auto plain = Session::load(plainPath, {DeviceKind::Cpu, 0});
  auto tiered = Session::load(tieredPath, {DeviceKind::Cpu, 0});
  ASSERT_TRUE(plain) << plain.status().message();
  ASSERT_TRUE(tiered) << tiered.status().message();
  std::vector<HostTensor> inputs = {makeInput({1, -2, 3, -4, 5, -6})};
  std::vector<HostTensor> want, got;
  ASSERT_TRUE((*plain)->run(inputs, want));
  for (int run = 0; run < 3; ++run) {
    ASSERT_TRUE((*tiered)->run(inputs, got));
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i)
      EXPECT_EQ(got[i].bytes, want[i].bytes)
          << "run " << run << " output " << i;
    EXPECT_EQ((*tiered)->lastRunStats().bytesStreamed, 24u);
  }
  expectMatchesReference(**tiered, inputs, got);
  Session::Counters c = (*tiered)->counters();
  EXPECT_EQ(c.runs, 3u);
  EXPECT_EQ(c.bytesStreamed, 72u);
  EXPECT_EQ(c.residentWeightBytes, 64u);
  EXPECT_EQ(c.stagingBytes, 256u);
  EXPECT_EQ(c.deviceBytes, 1024u + 64u + 256u);
  EXPECT_EQ((*plain)->counters().bytesStreamed, 0u);
  EXPECT_EQ((*plain)->counters().residentWeightBytes, 128u);
  std::remove(plainPath.c_str());
  std::remove(tieredPath.c_str());
}

TEST_F(SessionTest, BindRunReadApiAndMetrics) {
  std::string path = writeArtifact(makeArtifact(), "bind");
  auto loaded = Session::load(path, {DeviceKind::Cpu, 0});
  ASSERT_TRUE(loaded) << loaded.status().message();
  Session &session = **loaded;
  Status unbound = session.run();
  ASSERT_FALSE(unbound);
  EXPECT_EQ(unbound.message(), "input 'x' is not bound (setInput)");
  Status unknown = session.setInput("y", makeInput({1, 2, 3, 4, 5, 6}));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.message(), "no input named 'y' (inputs: 'x')");
  EXPECT_FALSE(session.output("out")); // nothing run yet
  ASSERT_TRUE(session.setInput("x", makeInput({1, 2, 3, 4, 5, 6})));
  ASSERT_TRUE(session.run());
  StatusOr<HostTensor> out = session.output("out");
  ASSERT_TRUE(out) << out.status().message();
  std::vector<HostTensor> outputs;
  ASSERT_TRUE(session.run({makeInput({1, 2, 3, 4, 5, 6})}, outputs));
  EXPECT_EQ(out->bytes, outputs[0].bytes);
  EXPECT_FALSE(session.output("nope"));

  std::string text = session.prometheusMetrics();
  EXPECT_NE(
      text.find(
          "# TYPE ds_runs_total counter\nds_runs_total{device=\"cpu\"} 2\n"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find(
          "ds_bytes_copied_total{device=\"cpu\",direction=\"inputs\"} 48\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("ds_arena_peak_bytes{device=\"cpu\"} 1024\n"),
            std::string::npos)
      << text;
  // Every sample line follows its # TYPE line, as the text format requires.
  EXPECT_EQ(text.find("# HELP"), 0u);
  std::remove(path.c_str());
}

//===----------------------------------------------------------------------===//
// Buckets
//===----------------------------------------------------------------------===//

/// y[b, 3] = x[b, 3] + w[3] for b rows: one kernel per bucket size, as the
/// compiler specializes them.
std::string rowsKernel(int rows) {
  std::string n = std::to_string(rows * 3);
  return "extern \"C\" __global__ void add_rows_" + std::to_string(rows) +
         "(const float *x, const float *w, float *y) {\n"
         "  int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
         "  if (i < " +
         n + ")\n    y[i] = x[i] + w[i % 3];\n}\n";
}

const std::string &bucketHostModule() {
  static const std::string bytes = [] {
    std::string text;
    for (int rows : {1, 2, 4})
      text += rowsKernel(rows) +
              launchWrapper("add_rows_" + std::to_string(rows),
                            {"const float *", "const float *", "float *"});
    return compileHostModule(text);
  }();
  return bytes;
}

/// Buckets batch = 1, 2, 4 of y = x + w (x: [batch, 3]), each planned from
/// offset 0 of one 512-byte arena, sharing the weight w.
Artifact makeBucketArtifact() {
  using K = BufferDesc::Kind;
  Artifact a;
  a.producer = "SessionTest buckets";
  a.arenaBytes = 512;
  a.buffers.push_back(buffer(K::Weight, "w", {3}, 0));
  std::vector<float> w = {10, 20, 30};
  a.weights.assign(64, '\0');
  std::memcpy(a.weights.data(), w.data(), 12);
  for (int rows : {1, 2, 4}) {
    uint32_t x = a.buffers.size();
    a.buffers.push_back(buffer(K::Input, "x", {rows, 3}, 0));
    a.buffers.push_back(buffer(K::Output, "y", {rows, 3}, 256));
    KernelDesc k;
    k.name = "add_rows_" + std::to_string(rows);
    k.source = rowsKernel(rows);
    BucketVariant v;
    v.name = "batch=" + std::to_string(rows);
    v.dims = {{"batch", rows}};
    v.inputs = {x};
    v.outputs = {x + 1};
    v.firstLaunch = a.launches.size();
    v.numLaunches = 1;
    v.firstReference = a.reference.size();
    v.numReferences = 1;
    v.arenaBytes = 256 + rows * 12;
    a.launches.push_back(launch(a.kernels.size(), {32, 1, 1}, {x, 0, x + 1}));
    a.kernels.push_back(k);
    a.reference.push_back(refOp("add", {x, 0}, {x + 1}));
    a.buckets.push_back(v);
  }
  a.inputs = a.buckets.back().inputs;
  a.outputs = a.buckets.back().outputs;
  a.inputBucketAxes = {0};
  a.outputBucketAxes = {0};
  a.hostModule = bucketHostModule();
  return a;
}

HostTensor rowsInput(int rows, float base) {
  HostTensor t(TensorType{DType::F32, {rows, 3}});
  for (int i = 0; i < rows * 3; ++i)
    t.data<float>()[i] = base + i;
  return t;
}

TEST_F(SessionTest, BucketsPickTheSmallestThatFitsPadAndSlice) {
  Artifact a = makeBucketArtifact();
  ASSERT_TRUE(verifyArtifact(a)) << verifyArtifact(a).message();
  std::string path = writeArtifact(a, "buckets");
  auto session = Session::load(path, {DeviceKind::Cpu, 0});
  ASSERT_TRUE(session) << session.status().message();
  Session &s = **session;

  // The signature: the batch dim is dynamic, with its name and values.
  ASSERT_EQ(s.inputs().size(), 1u);
  EXPECT_EQ(s.inputs()[0].type, (TensorType{DType::F32, {-1, 3}}));
  EXPECT_EQ(s.inputs()[0].bucketAxis, 0);
  EXPECT_EQ(s.outputs()[0].type, (TensorType{DType::F32, {-1, 3}}));
  EXPECT_EQ(s.buckets().dim, "batch");
  EXPECT_EQ(s.buckets().values, (std::vector<int64_t>{1, 2, 4}));

  // A full batch 4 first, so a stale row would show in the padded batch 3.
  for (auto [rows, bucket] :
       {std::pair{4, 2}, std::pair{1, 0}, std::pair{2, 1}, std::pair{3, 2}}) {
    SCOPED_TRACE("batch " + std::to_string(rows));
    std::vector<HostTensor> inputs = {rowsInput(rows, 100.0f * rows)};
    std::vector<HostTensor> outputs;
    Status st = s.run(inputs, outputs);
    ASSERT_TRUE(st) << st.message();
    EXPECT_EQ(s.lastRunStats().bucket, bucket);
    EXPECT_EQ(s.lastRunStats().perLaunchMs.size(), 1u);
    ASSERT_EQ(outputs.size(), 1u);
    ASSERT_EQ(outputs[0].type, (TensorType{DType::F32, {rows, 3}}));
    for (int i = 0; i < rows * 3; ++i)
      EXPECT_EQ(outputs[0].data<float>()[i],
                100.0f * rows + i + 10.0f * (i % 3 + 1))
          << "element " << i;
    // The reference executor picks, pads and slices the same way.
    expectMatchesReference(s, inputs, outputs);
  }
  std::remove(path.c_str());
}

TEST_F(SessionTest, BucketErrorsNameTheDimAndInput) {
  std::string path = writeArtifact(makeBucketArtifact(), "bucket-errors");
  auto session = Session::load(path, {DeviceKind::Cpu, 0});
  ASSERT_TRUE(session) << session.status().message();
  std::vector<HostTensor> outputs;
  Status tooLarge = (*session)->run({rowsInput(5, 0)}, outputs);
  EXPECT_EQ(tooLarge.message(),
            "batch=5 exceeds the largest bucket (batch=4; buckets: 1, 2, 4); "
            "compile with a larger bucket (ds-compile --buckets)");
  HostTensor wide(TensorType{DType::F32, {2, 4}});
  Status otherDim = (*session)->run({wide}, outputs);
  EXPECT_EQ(otherDim.message(),
            "input 'x': expected tensor<?x3xf32> (batch on the -1 dim), got "
            "tensor<2x4xf32>");
  EXPECT_FALSE((*session)->run({}, outputs));
  auto ref = runReferenceProgram((*session)->artifact(), {rowsInput(8, 0)});
  ASSERT_FALSE(ref);
  EXPECT_NE(ref.status().message().find("batch=8 exceeds the largest bucket"),
            std::string::npos)
      << ref.status().message();
  std::remove(path.c_str());
}

TEST(BucketPadding, PadAndSliceAlongAnInnerAxis) {
  // [2, 2, 3] padded to [2, 4, 3] along axis 1, then sliced back.
  HostTensor t(TensorType{DType::I32, {2, 2, 3}});
  for (int i = 0; i < 12; ++i)
    t.data<int32_t>()[i] = i + 1;
  HostTensor padded = padAlongAxis(t, 1, 4);
  ASSERT_EQ(padded.type, (TensorType{DType::I32, {2, 4, 3}}));
  std::vector<int32_t> want = {1, 2, 3, 4,  5,  6,  0, 0, 0, 0, 0, 0,
                               7, 8, 9, 10, 11, 12, 0, 0, 0, 0, 0, 0};
  std::vector<int32_t> got(padded.data<int32_t>(), padded.data<int32_t>() + 24);
  EXPECT_EQ(got, want);
  HostTensor back = sliceAlongAxis(padded, 1, 2);
  EXPECT_EQ(back.type, t.type);
  EXPECT_EQ(back.bytes, t.bytes);
  // Zero entries along the axis: nothing copied, all padding.
  HostTensor empty(TensorType{DType::I32, {2, 0, 3}});
  EXPECT_EQ(padAlongAxis(empty, 1, 1).bytes, std::vector<uint8_t>(24, 0));
}

TEST_F(SessionTest, MissingKernelSymbolNamesTheKernel) {
  Artifact a = makeArtifact();
  KernelDesc ghost;
  ghost.name = "ghost_kernel";
  a.kernels.push_back(ghost);
  std::string path = writeArtifact(a, "ghost");
  auto session = Session::load(path, {DeviceKind::Cpu, 0});
  ASSERT_FALSE(session);
  EXPECT_NE(session.status().message().find("'ghost_kernel'"),
            std::string::npos)
      << session.status().message();
  std::remove(path.c_str());
}

TEST_F(SessionTest, CorruptHostModuleIsAnError) {
  Artifact a = makeArtifact();
  a.hostModule = "\x7f"
                 "ELF but not really a shared object";
  std::string path = writeArtifact(a, "corrupt");
  auto session = Session::load(path, {DeviceKind::Cpu, 0});
  ASSERT_FALSE(session);
  EXPECT_NE(session.status().message().find("cannot load host module"),
            std::string::npos)
      << session.status().message();

  a.hostModule.clear();
  std::string empty = writeArtifact(a, "empty");
  auto noModule = Session::load(empty, {DeviceKind::Cpu, 0});
  ASSERT_FALSE(noModule);
  EXPECT_NE(noModule.status().message().find("without a host module"),
            std::string::npos)
      << noModule.status().message();
  std::remove(path.c_str());
  std::remove(empty.c_str());
}

TEST_F(SessionTest, LaunchFailureCarriesEmulationError) {
  Artifact a = makeArtifact();
  a.launches[0].block[0] = 2048; // more threads than a block may have
  std::string path = writeArtifact(a, "badlaunch");
  auto session = Session::load(path, {DeviceKind::Cpu, 0});
  ASSERT_TRUE(session) << session.status().message();
  std::vector<HostTensor> outputs;
  Status r = (*session)->run({makeInput({1, 2, 3, 4, 5, 6})}, outputs);
  ASSERT_FALSE(r);
  EXPECT_NE(r.message().find("'add_relu'"), std::string::npos) << r.message();
  EXPECT_NE(r.message().find("invalid configuration"), std::string::npos)
      << r.message();
  std::remove(path.c_str());
}

TEST(SessionLoad, MissingFileIsAnError) {
  auto session = Session::load("/nonexistent/model.dsa", {});
  ASSERT_FALSE(session);
  EXPECT_NE(session.status().message().find("/nonexistent/model.dsa"),
            std::string::npos)
      << session.status().message();
}

//===----------------------------------------------------------------------===//
// HostModule
//===----------------------------------------------------------------------===//

TEST_F(SessionTest, HostModuleLookupAndLaunch) {
  auto module = HostModule::load(testHostModule());
  ASSERT_TRUE(module) << module.status().message();
  auto fn = (*module)->lookup("add_relu");
  ASSERT_TRUE(fn) << fn.status().message();
  std::vector<float> x = {-1, 2, -3, 4, -5, 6}, w(6, 0.5f), y(6, -7);
  void *px = x.data(), *pw = w.data(), *py = y.data();
  void *args[] = {&px, &pw, &py};
  unsigned grid[3] = {2, 1, 1}, block[3] = {4, 1, 1};
  Status s = (*module)->launch(*fn, "add_relu", args, grid, block, 0);
  ASSERT_TRUE(s) << s.message();
  EXPECT_EQ(y, (std::vector<float>{0, 2.5f, 0, 4.5f, 0, 6.5f}));
  EXPECT_EQ((*module)->lastError(), "");

  auto missing = (*module)->lookup("nope");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.status().message().find("'nope'"), std::string::npos);
  EXPECT_NE(missing.status().message().find("ds_emu_launch_nope"),
            std::string::npos);

  // Two instances of the same module coexist (symbols stay local).
  auto second = HostModule::load(testHostModule());
  ASSERT_TRUE(second) << second.status().message();
  EXPECT_TRUE((*second)->lookup("matmul_3x2x2"));
}

TEST(HostModule, GarbageBytesGiveDlopenError) {
  std::string junk(256, 'x');
  auto module = HostModule::load(junk);
  ASSERT_FALSE(module);
  EXPECT_NE(module.status().message().find("cannot load host module"),
            std::string::npos)
      << module.status().message();
  auto empty = HostModule::load(std::string());
  ASSERT_FALSE(empty);
}

TEST(HostModule, LaunchErrorUsesModuleMessage) {
  // A hand-written module whose launch fails, to check the error plumbing
  // without the emulation.
  std::string bytes = compileHostModule(
      "#undef DS_UNUSED\n"
      "extern \"C\" __attribute__((visibility(\"default\"))) int "
      "ds_emu_launch_fails(void **, const unsigned *, const unsigned *, "
      "unsigned) { return 3; }\n");
  if (bytes.empty())
    GTEST_SKIP() << "host compiler unavailable";
  auto module = HostModule::load(bytes);
  ASSERT_TRUE(module) << module.status().message();
  auto fn = (*module)->lookup("fails");
  ASSERT_TRUE(fn);
  unsigned dims[3] = {1, 1, 1};
  Status s = (*module)->launch(*fn, "fails", nullptr, dims, dims, 0);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("'fails'"), std::string::npos);
  EXPECT_NE(s.message().find("code 3"), std::string::npos) << s.message();
}

//===----------------------------------------------------------------------===//
// CUDA (skipped without a GPU)
//===----------------------------------------------------------------------===//

TEST(CudaDriverTest, NoGpuIsReportedAsSuch) {
  auto driver = CudaDriver::get();
  if (driver)
    GTEST_SKIP() << "a GPU is present";
  EXPECT_EQ(driver.status().message().rfind("no GPU: ", 0), 0u)
      << driver.status().message();
}

TEST(CudaDriverTest, CheckMacroNamesCallAndLocation) {
  Status ok = DS_CU_CHECK(cu::CUDA_SUCCESS);
  EXPECT_TRUE(ok);
  Status s = DS_CU_CHECK(cu::CUresult(cu::CUDA_ERROR_NO_DEVICE));
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("CUDA_ERROR_NO_DEVICE"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("SessionTest.cpp:"), std::string::npos)
      << s.message();
}

TEST_F(SessionCudaTest, CudaRunMatchesReference) {
  auto driver = CudaDriver::get();
  if (!driver)
    GTEST_SKIP() << driver.status().message();
  Artifact a = makeArtifact();
  for (KernelDesc &k : a.kernels) {
    KernelBinary ptx;
    ptx.target = "compute_75";
    ptx.data = kKernelPtx;
    k.binaries.push_back(ptx);
  }
  std::string path = writeArtifact(a, "cuda");
  // A CUDA graph (the default), plain launches, and launches timed one by
  // one: the same outputs.
  for (int mode = 0; mode < 3; ++mode) {
    SessionOptions options{DeviceKind::Cuda, 0};
    options.cudaGraph = mode == 0;
    options.profileLaunches = mode == 2;
    auto session = Session::load(path, options);
    ASSERT_TRUE(session) << session.status().message();
    EXPECT_EQ((*session)->device(), DeviceKind::Cuda);
    EXPECT_EQ((*session)->deviceName().rfind("cuda:0 (", 0), 0u);
    std::vector<HostTensor> outputs;
    for (int i = 0; i < 3; ++i) {
      std::vector<HostTensor> inputs = {
          makeInput({0, 0, 0, 1, static_cast<float>(i), 1})};
      Status r = (*session)->run(inputs, outputs);
      ASSERT_TRUE(r) << r.message();
      expectMatchesReference(**session, inputs, outputs);
    }
    Session::RunStats stats = (*session)->lastRunStats();
    EXPECT_EQ(stats.launches, 2u);
    EXPECT_EQ(stats.cudaGraph, mode == 0);
    EXPECT_EQ(stats.perLaunchMs.size(), mode == 2 ? 2u : 0u);
    EXPECT_GT(stats.kernelMs, 0.0);
  }
  std::remove(path.c_str());
}

TEST_F(SessionCudaTest, CudaWithoutMatchingBinaryIsAnError) {
  std::string path = writeArtifact(makeArtifact(), "nobinary");
  auto session = Session::load(path, {DeviceKind::Cuda, 0});
  ASSERT_FALSE(session);
  if (!CudaDriver::get())
    EXPECT_NE(session.status().message().find("no GPU"), std::string::npos)
        << session.status().message();
  else
    EXPECT_NE(session.status().message().find("has no binary"),
              std::string::npos)
        << session.status().message();
  std::remove(path.c_str());
}

} // namespace
