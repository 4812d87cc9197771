package io.isofold.supervisor.slurm;

import java.io.IOException;

/**
 * A Slurm command failed, could not be run, or did not answer in time. The message is one line for a
 * user, quoting Slurm's own first line of complaint.
 */
public final class SlurmException extends IOException {
    SlurmException(String message) {
        super(message);
    }
}
