package io.isofold.supervisor.outcome;

import io.isofold.shared.WorkerEnv;
import io.isofold.supervisor.journal.Verdict;
import java.nio.file.Path;
import java.util.Map;

/** The contract's verdict on a worker that exited by itself: completed only on exit 0 with a valid result. */
record Judgement(Verdict verdict, String reason, Map<String, Double> metrics, ResultCheck result) {

    /** What the result declared of its metrics' directions, when it completed; else none. */
    Map<String, String> directions() {
        return verdict == Verdict.COMPLETED && result != null ? result.directions() : Map.of();
    }

    static Judgement of(int exitCode, Path resultFile) {
        if (exitCode == 0) {
            ResultCheck check = ResultCheck.of(resultFile);
            return new Judgement(check.valid() ? Verdict.COMPLETED : Verdict.FAILED, check.problem(), check.metrics(),
                    check);
        }
        if (exitCode == WorkerEnv.EXIT_BAD_TASK) {
            return new Judgement(Verdict.BAD_TASK, "exit 2: the worker says its task is bad", Map.of(), null);
        }
        if (exitCode > 128) {
            return new Judgement(Verdict.FAILED, "killed by signal " + (exitCode - 128) + signalName(exitCode - 128),
                    Map.of(), null);
        }
        return new Judgement(Verdict.FAILED, "exit " + exitCode, Map.of(), null);
    }

    private static String signalName(int signal) {
        return switch (signal) {
            case 9 -> " (SIGKILL, e.g. the kernel's out-of-memory killer)";
            case 15 -> " (SIGTERM)";
            case 6 -> " (SIGABRT)";
            case 11 -> " (SIGSEGV)";
            case 2 -> " (SIGINT)";
            default -> "";
        };
    }
}
