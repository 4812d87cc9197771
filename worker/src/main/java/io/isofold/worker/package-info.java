/**
 * The built-in worker's process: {@link io.isofold.worker.WorkerMain} reads one task (its file and the
 * {@code ISOFOLD_*} environment, settled in {@link io.isofold.worker.ResolvedTask}), trains it and writes the
 * result, then the JVM exits; {@link io.isofold.worker.Standby} is the same worker started ahead of its task.
 * Also what ends the process: {@link io.isofold.worker.ParentWatch} (the supervisor died), {@link
 * io.isofold.worker.StopRequest} (SIGTERM, SIGINT, or that death, honoured at the next batch boundary), and
 * {@link io.isofold.worker.BadTaskException} (exit 2). The other packages' lines call this package
 * {@code worker}.
 *
 * <p>Never imports: model.
 */
package io.isofold.worker;
