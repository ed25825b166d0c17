// ds-compile shows its stages: on a terminal (--progress=auto, the default)
// one line rewritten in place, with --progress=always one line each; never
// when stdout is not a terminal.
// RUN: rm -rf %t && mkdir -p %t
// RUN: ds-compile %s -o %t/a.dsa --no-nvrtc --no-host-module --quiet --progress=always | FileCheck %s
// RUN: ds-compile %s -o %t/b.dsa --no-nvrtc --no-host-module --quiet | count 0
// RUN: ds-compile %s -o %t/c.dsa --no-nvrtc --no-host-module --quiet --progress=never | count 0

// CHECK: ds-compile [1] ds-dead-node-elimination
// CHECK: ds-compile [{{[0-9]+}}] ds-plan-memory
// CHECK-NEXT: ds-compile [{{[0-9]+}}] codegen, NVRTC and host module
// CHECK-NEXT: ds-compile [{{[0-9]+}}] writing {{.*}}a.dsa

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ds.exp %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
