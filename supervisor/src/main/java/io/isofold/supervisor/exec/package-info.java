/**
 * Running a short external command (sbatch, nvidia-smi, the JVM's option check) with a time limit, its
 * output captured whole.
 *
 * <p>Never imports another package of the supervisor.
 */
package io.isofold.supervisor.exec;
