/**
 * The seed benchmark ({@code scripts/bench-seed-curve.sh}): many small models trained in one TensorFlow graph
 * against one fresh process each, and the report of the two curves. Uses TensorFlow directly, nothing of the
 * worker itself.
 *
 * <p>Never imports: worker, data, device, model, train.
 */
package io.isofold.worker.bench;
