package io.isofold.supervisor.slurm;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The columns isofold asks {@code squeue -O} for, and how a line of them is read.
 *
 * <p>Why not {@code squeue --json}: on Slurm 22.05 (data_parser v0.0.38) it ignores every filter
 * ({@code -j}, {@code --me}, {@code --name}, {@code -u}: measured, all return every job of the
 * cluster) at about 3.6 KB of JSON per job, so on a cluster with a few thousand jobs one poll is
 * megabytes; and its layout changes between versions ({@code exit_code} is a number in v0.0.38, an
 * object from 23.02). {@code -O} honours the filters and has printed the same columns for years.
 *
 * <p>The name comes last: it is the one free-text column, so a {@code |} in someone's job name
 * cannot shift the others.
 */
final class SqueueFormat {
    static final String COLUMNS = "JobID:|,State:|,exit_code:|,BatchHost:|,NodeList:|,Reason:|,StartTime:|,Name:|";
    private static final int FIXED_COLUMNS = 7;

    private SqueueFormat() {}

    static List<SlurmJobStatus> parse(String output) {
        List<SlurmJobStatus> jobs = new ArrayList<>();
        for (String line : output.split("\n")) {
            parseLine(line).ifPresent(jobs::add);
        }
        return jobs;
    }

    /** Empty for a line that is not one of our columns (a blank line; an array job's {@code 12_3}). */
    static Optional<SlurmJobStatus> parseLine(String line) {
        String[] f = line.split("\\|", FIXED_COLUMNS + 1);
        if (f.length != FIXED_COLUMNS + 1 || !f[0].strip().matches("\\d+")) {
            return Optional.empty();
        }
        long jobId = Long.parseLong(f[0].strip());
        String slurmState = f[1].strip();
        SlurmJobState state = SlurmJobState.of(slurmState);
        Integer exitCode = null;
        Integer signal = null;
        // Slurm keeps the batch script's raw wait(2) status: 768 is "exit 3", 9 is "killed by SIGKILL"
        if (state.ended() && f[2].strip().matches("\\d+")) {
            int raw = Integer.parseInt(f[2].strip());
            if ((raw & 0x7f) != 0) {
                signal = raw & 0x7f;
            } else {
                exitCode = (raw >> 8) & 0xff;
            }
        }
        String node = present(f[3]);
        if (node == null) {
            node = present(f[4]);
        }
        String reason = present(f[5]);
        Instant started = state == SlurmJobState.PENDING ? null : time(f[6]);
        String name = f[7].endsWith("|") ? f[7].substring(0, f[7].length() - 1) : f[7];
        return Optional.of(new SlurmJobStatus(jobId, name.strip(), state, slurmState, exitCode, signal,
                state == SlurmJobState.PENDING ? null : node, reason, started));
    }

    static String present(String value) {
        String v = value.strip();
        return v.isEmpty() || v.equalsIgnoreCase("n/a") || v.equalsIgnoreCase("none") || v.equals("(null)")
                ? null : v;
    }

    /** squeue prints local time without a zone (2026-11-29T16:52:02), in the zone it runs in: ours. */
    static Instant time(String value) {
        try {
            return LocalDateTime.parse(value.strip()).atZone(ZoneId.systemDefault()).toInstant();
        } catch (DateTimeParseException e) {
            return null; // N/A, Unknown
        }
    }
}
