/**
 * Datasets the built-in worker reads into memory: IDX files (plain or gzip), a folder with one sub-folder of
 * images per class, or CSV (label, then pixels), each as one {@link io.isofold.worker.data.Dataset}. A dataset
 * it cannot read is a {@code BadTaskException}.
 *
 * <p>Never imports: device, model, train.
 */
package io.isofold.worker.data;
