package io.isofold.supervisor.journal;

import java.nio.file.Path;

/** Every file and folder of a run's output directory, named in one place. */
public record RunFiles(Path dir) {
    public static final String RUN_JSON = "run.json";
    public static final String JOURNAL = "journal.jsonl";
    public static final String LOCK = "run.lock";
    public static final String LOG = "supervisor.log";
    public static final String RESULTS_CSV = "results.csv";
    public static final String SUMMARY_JSON = "summary.json";
    public static final String REPORT_HTML = "report.html";
    public static final String REPLICATES = "replicates";
    /** Standby workers' folders while they wait for a task (see {@code standby.StandbyWorkers}). */
    public static final String STANDBY = "standby";
    /** A replicate's checkpoint directory, beside its attempt directories. */
    public static final String CHECKPOINTS = "checkpoint";

    public Path runJson() {
        return dir.resolve(RUN_JSON);
    }

    public Path journal() {
        return dir.resolve(JOURNAL);
    }

    public Path lock() {
        return dir.resolve(LOCK);
    }

    public Path log() {
        return dir.resolve(LOG);
    }

    public Path resultsCsv() {
        return dir.resolve(RESULTS_CSV);
    }

    public Path summaryJson() {
        return dir.resolve(SUMMARY_JSON);
    }

    public Path reportHtml() {
        return dir.resolve(REPORT_HTML);
    }

    public Path replicates() {
        return dir.resolve(REPLICATES);
    }

    public Path standby() {
        return dir.resolve(STANDBY);
    }

    public Path replicateDir(int replicate) {
        return replicates().resolve(Integer.toString(replicate));
    }

    /** The replicate's checkpoint directory, kept across its attempts (the worker owns what is inside). */
    public Path checkpoints(int replicate) {
        return replicateDir(replicate).resolve(CHECKPOINTS);
    }

    public AttemptFiles attempt(int replicate, int attempt) {
        return new AttemptFiles(replicateDir(replicate).resolve("attempt-" + attempt));
    }

    public AttemptFiles attempt(AttemptId id) {
        return attempt(id.replicate(), id.attempt());
    }

    /** The files of one attempt: what the worker gets, what it writes, what the launcher writes. */
    public record AttemptFiles(Path dir) {
        public static final String TASK = "task.json";
        public static final String STDOUT = "stdout.log";
        public static final String STDERR = "stderr.log";
        public static final String PROGRESS = "progress.jsonl";
        public static final String RESULT = "result.json";
        /** Written by the launcher's wrapper when the worker exits: its exit status, one line. */
        public static final String EXIT_STATUS = "exit_status";

        public Path task() {
            return dir.resolve(TASK);
        }

        public Path stdout() {
            return dir.resolve(STDOUT);
        }

        public Path stderr() {
            return dir.resolve(STDERR);
        }

        public Path progress() {
            return dir.resolve(PROGRESS);
        }

        public Path result() {
            return dir.resolve(RESULT);
        }

        public Path exitStatus() {
            return dir.resolve(EXIT_STATUS);
        }
    }
}
