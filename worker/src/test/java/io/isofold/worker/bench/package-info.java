/**
 * The worker's benchmark drivers, kept in the test sources so that none of them ships in the worker jar: the
 * seed benchmark ({@code scripts/bench-seed-curve.sh}, many small models trained in one TensorFlow graph
 * against one fresh process each, and the report of the two curves) and the continue benchmark ({@code
 * scripts/bench-continue.sh}).
 */
package io.isofold.worker.bench;
