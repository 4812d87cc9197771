package io.isofold.supervisor.progress;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.isofold.supervisor.journal.AttemptId;
import io.isofold.supervisor.journal.Outcome;
import io.isofold.supervisor.journal.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Issue 18 item 8: the log said "[0/5] replicate 0 ... completed": its count lagged one attempt behind. */
@Tag("unit")
class LogProgressTest {
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger("isofold");

    @BeforeEach
    void capture() {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
    }

    private static RunEvent.Finished finished(int replicate, Verdict verdict) {
        return new RunEvent.Finished(new AttemptId(replicate, "cnn", replicate, replicate, 0, 1), "cpu/0",
                new Outcome(Instant.now(), verdict, verdict == Verdict.COMPLETED ? null : "exit 1", 0,
                        verdict == Verdict.COMPLETED ? Map.of("val_accuracy", 0.9) : Map.of(), 1.0, null), null);
    }

    private static ProgressSnapshot snapshot(int completed) {
        return new ProgressSnapshot(completed, 5, List.of(), 2, 0, Duration.ZERO, null);
    }

    @Test
    void theCountIncludesTheAttemptThatJustCompleted() {
        LogProgress log = new LogProgress();
        log.update(snapshot(0));
        log.event(finished(0, Verdict.COMPLETED));
        log.event(finished(1, Verdict.FAILED));
        log.event(finished(2, Verdict.COMPLETED)); // before the loop's next snapshot
        log.update(snapshot(2));
        log.event(finished(3, Verdict.COMPLETED));

        List<String> text = lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(text.get(0)).startsWith("[1/5] replicate 0 (cnn, fold 0) attempt 1 completed");
        assertThat(text.get(1)).startsWith("[1/5] replicate 1 (cnn, fold 1) attempt 1 failed");
        assertThat(text.get(2)).startsWith("[2/5] replicate 2");
        assertThat(text.get(3)).startsWith("[3/5] replicate 3");
    }

    /** Issue 19 item 4: the log says where an attempt continued from. */
    @Test
    void anAttemptThatContinuedSaysFromWhere() {
        RunEvent.Finished f = new RunEvent.Finished(new AttemptId(3, "cnn", 3, 3, 0, 2), "cpu/0",
                new Outcome(Instant.now(), Verdict.COMPLETED, null, 0, Map.of("val_accuracy", 0.9), 12.0, null,
                        new io.isofold.supervisor.journal.ContinuedFrom(4, 120, 300.0)), null);
        assertThat(RunEventText.of(f)).startsWith("replicate 3 (cnn, fold 3) attempt 2 (continued from epoch 4, batch"
                + " 120) completed in 12.0 s");
        assertThat(RunEventText.of(finished(3, Verdict.COMPLETED))).doesNotContain("continued");
    }
}
