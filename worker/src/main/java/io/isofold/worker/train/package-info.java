/**
 * One training run of one fold: the graph with its loss, optimizer and metrics ({@link
 * io.isofold.worker.train.TrainingGraph}), the loop over epochs and batches with early stopping ({@link
 * io.isofold.worker.train.Trainer}), its checkpoints ({@link io.isofold.worker.train.CheckpointStore}), and
 * what it writes: {@code progress.jsonl}, the SavedModel, TensorBoard event files.
 *
 * <p>Imports any package of the worker: it is the top of the training stack.
 */
package io.isofold.worker.train;
