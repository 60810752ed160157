// The tfjs-core op specs run against our training kernels: every op whose kernel (or whose gradient's kernel)
// the training kernels add, replace or route differently, plus the engine's own gradient specs. Paths are
// relative to @tensorflow/tfjs-core/dist.
export const SPEC_FILES: readonly string[] = [
  'ops/conv2d_test.js', // Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput
  'ops/conv2d_transpose_test.js', // Conv2DBackpropInput as the forward op
  'ops/conv1d_test.js',
  'ops/conv2d_separable_test.js', // depthwise + pointwise, both gradients
  'ops/depthwise_conv2d_test.js', // DepthwiseConv2dNativeBackpropInput/Filter
  'ops/fused/fused_conv2d_test.js',
  'ops/fused/fused_depthwise_conv2d_test.js',
  'ops/max_pool_test.js', // MaxPoolGrad
  'ops/avg_pool_test.js',
  'ops/pool_test.js',
  'ops/unsorted_segment_sum_test.js', // UnsortedSegmentSum
  'ops/gather_test.js', // gather's gradient is UnsortedSegmentSum
  'ops/mat_mul_test.js', // BatchMatMul
  'ops/fused/fused_mat_mul_test.js', // _FusedMatMul's gradients call BatchMatMul
  'ops/image/resize_nearest_neighbor_test.js', // ResizeNearestNeighborGrad
  'ops/image/resize_bilinear_test.js',
  'ops/sum_test.js', // Sum
  'ops/mean_test.js', // Sum underneath
  'ops/concat_test.js', // concat's gradient is SplitV
  'ops/split_test.js', // SplitV
  'ops/clone_test.js', // Identity
  'ops/tanh_test.js', // Tanh
  'gradients_test.js',
  // Kernels stock wasm lacks, which run on cpu through the counted bridge (bridge.ts).
  'ops/einsum_test.js',
  'ops/ragged_gather_test.js',
  'ops/ragged_range_test.js',
  'ops/ragged_tensor_to_tensor_test.js',
];
