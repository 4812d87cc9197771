package io.isofold.supervisor.outcome;

import io.isofold.supervisor.journal.Outcome;
import io.isofold.supervisor.journal.Verdict;

/**
 * How an attempt failed, reduced to what repeats: its exit status and the last line of its stderr, with the
 * numbers left out (a pid, an address, a byte count differ from try to try, the failure does not). Two
 * attempts with one signature failed the same way, and a third would too: a missing module, a result file
 * never written, a crash on the fold's data.
 *
 * @param key   what is compared
 * @param quote the failure in words, as the user is told it once
 * @param hint  what to do about it, where the failure is a known one; null otherwise
 */
public record FailureSignature(String key, String quote, String hint) {

    /** The signature of a failed attempt; null for any other verdict (a limit, a stop, a lost node, a bad task). */
    public static FailureSignature of(Outcome o) {
        if (o == null || o.verdict() != Verdict.FAILED) {
            return null;
        }
        String what = o.exitCode() == null || o.exitCode() == 0 ? o.reason() : "exit " + o.exitCode();
        if (what == null) {
            return null;
        }
        String last = lastLine(o.stderrTail());
        String quote = last == null ? what : what + ": " + last;
        return new FailureSignature(quote.replaceAll("\\d+", "#"), quote, hint(o.exitCode(), what, last));
    }

    private static String lastLine(String tail) {
        if (tail == null || tail.isBlank()) {
            return null;
        }
        String[] lines = tail.strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    private static String hint(Integer exit, String what, String last) {
        String l = last == null ? "" : last;
        if (what.contains("without writing")) {
            return "a worker writes its result JSON to the file $ISOFOLD_RESULT names (the placeholder {result} "
                    + "gives the same path); printing it does not count";
        }
        if (l.contains("ModuleNotFoundError") || l.contains("ImportError") || l.contains("No module named")) {
            return "the worker's Python cannot import a package: run it with the interpreter that has it (the full "
                    + "path of your venv's python, say); a resume takes a new worker command after --";
        }
        if (exit != null && exit == 127 || l.contains("command not found")) {
            return "a program the worker runs is not on PATH";
        }
        if (exit != null && exit == 126 || l.contains("Permission denied")) {
            return "a file the worker runs is not executable (chmod +x), or not readable";
        }
        if (l.contains("can't open file") || l.contains("No such file or directory")) {
            return "a file the worker command names is not there: relative paths are taken from the folder the run "
                    + "was started in";
        }
        if (l.contains("out of memory") || l.contains("OutOfMemoryError")) {
            return "it runs out of memory the same way every time: a smaller batch, fewer --workers-per-gpu, or "
                    + "more memory for it";
        }
        return null;
    }
}
