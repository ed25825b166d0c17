// RUN: ds-opt %s --ds-static-shapes="bind=ids[0]=3,0[1]=5" | FileCheck %s

// Binding by input name and position; ConstantOfShape, Range and Gather on
// shapes fold.
// CHECK-LABEL: func @by_position
// CHECK-SAME: tensor<3x5xi64>
// CHECK: %[[C:.*]] = ds.constant dense<0> : tensor<3x5xi64>
// CHECK: %[[R:.*]] = ds.constant dense<[0, 1, 2, 3, 4]> : tensor<5xi64>
// CHECK: return %[[C]], %[[R]]
func.func @by_position(%x: tensor<?x?xi64> {ds.name = "ids"}) -> (tensor<?x?xi64>, tensor<?xi64>) {
  %s = ds.shape %x {start = 0 : i64, end = 2 : i64} : tensor<?x?xi64> -> tensor<2xi64>
  %z = ds.constant_of_shape %s {value = dense<0> : tensor<1xi64>} : tensor<2xi64> -> tensor<?x?xi64>
  %i = ds.constant dense<1> : tensor<i64>
  %n = ds.gather %s, %i {axis = 0 : i64} : (tensor<2xi64>, tensor<i64>) -> tensor<i64>
  %zero = ds.constant dense<0> : tensor<i64>
  %one = ds.constant dense<1> : tensor<i64>
  %r = ds.range %zero, %n, %one : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  return %z, %r : tensor<?x?xi64>, tensor<?xi64>
}
