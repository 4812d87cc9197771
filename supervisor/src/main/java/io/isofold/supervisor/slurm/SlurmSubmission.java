package io.isofold.supervisor.slurm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One attempt as a batch job.
 *
 * @param name         the job's name; a run's jobs share a prefix, so they can be found again by it
 * @param command      the worker's argv, run as it is, never parsed by a shell
 * @param environment  set in the job on top of the submitting process's own environment; must hold
 *                     {@code ISOFOLD_ATTEMPT_DIR} or it is set to {@code attemptDir}
 * @param attemptDir   exists; must be readable on the compute nodes (a shared file system)
 * @param gpu          ask for one GPU ({@code --gres=gpu:1}); false: no GPU, and CUDA_VISIBLE_DEVICES empty
 * @param memoryBytes  {@code --mem}, rounded up to MiB; null for the partition's default
 * @param timeLimit    {@code --time}, rounded up to whole minutes; null for the partition's default. A backstop
 *                     only: Slurm enforces it up to about 30 s late
 * @param sbatchOptions passed through as they are, after isofold's own options (so they win)
 * @param warning      with a {@code timeLimit}: how long before it the worker gets SIGTERM from its job script
 *                     (the run's kill grace), so that it can save its work before Slurm ends the job; null for none
 * @param workdir      the folder the job starts in ({@code --chdir}): the run's, wherever the supervisor was started;
 *                     null for sbatch's own (the supervisor's working directory)
 */
public record SlurmSubmission(String name, List<String> command, Map<String, String> environment, Path attemptDir,
        Path stdout, Path stderr, boolean gpu, Long memoryBytes, Duration timeLimit, List<String> sbatchOptions,
        Duration warning, Path workdir) {

    public SlurmSubmission(String name, List<String> command, Map<String, String> environment, Path attemptDir,
            Path stdout, Path stderr, boolean gpu, Long memoryBytes, Duration timeLimit, List<String> sbatchOptions) {
        this(name, command, environment, attemptDir, stdout, stderr, gpu, memoryBytes, timeLimit, sbatchOptions, null);
    }

    public SlurmSubmission(String name, List<String> command, Map<String, String> environment, Path attemptDir,
            Path stdout, Path stderr, boolean gpu, Long memoryBytes, Duration timeLimit, List<String> sbatchOptions,
            Duration warning) {
        this(name, command, environment, attemptDir, stdout, stderr, gpu, memoryBytes, timeLimit, sbatchOptions,
                warning, null);
    }

    public SlurmSubmission {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty worker command");
        }
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
        sbatchOptions = List.copyOf(sbatchOptions);
    }
}
