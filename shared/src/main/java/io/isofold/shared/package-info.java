/**
 * The contract both sides speak, as types: the task of one attempt ({@link io.isofold.shared.Task}), the
 * variables every worker gets ({@link io.isofold.shared.WorkerEnv}), the result and progress lines a worker
 * writes ({@link io.isofold.shared.WorkerResult}, {@link io.isofold.shared.ProgressEvent}), a standby's handoff
 * ({@link io.isofold.shared.Handoff}), where replicate r lands ({@link io.isofold.shared.ReplicatePlan}) and
 * which example is in which fold ({@link io.isofold.shared.StratifiedFolds}), the one JSON dialect ({@link
 * io.isofold.shared.Json}), atomic file replacement, and the CUDA libraries TensorFlow opens.
 *
 * <p>Never imports another package of isofold: the worker and the supervisor depend on it, never the other
 * way round (the modules' order in the parent POM enforces it).
 */
package io.isofold.shared;
