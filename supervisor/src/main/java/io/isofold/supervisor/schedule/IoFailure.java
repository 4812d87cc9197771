package io.isofold.supervisor.schedule;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** The words a user reads for a failed file operation: the system's reason, not the exception's class. */
final class IoFailure {
    private IoFailure() {}

    /** "No space left on device", "no such file or directory"...; callers name the file themselves. */
    static String reason(Exception e) {
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "a file of that name is in the way";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** What went wrong in a future's failure: the cause's message, not the wrapper's. */
    static String rootMessage(Throwable t) {
        Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        return c == null ? "unknown" : String.valueOf(c.getMessage());
    }
}
