package io.isofold.supervisor.progress;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.nio.charset.StandardCharsets;

/**
 * Logback's console output, through {@link Console}: a log call on the run loop's thread never
 * blocks on a console nobody reads, and log lines and the live progress line share one writer.
 */
public final class ConsoleLogAppender extends AppenderBase<ILoggingEvent> {
    private PatternLayoutEncoder encoder;

    public void setEncoder(PatternLayoutEncoder encoder) {
        this.encoder = encoder;
    }

    @Override
    protected void append(ILoggingEvent event) {
        String text = new String(encoder.encode(event), StandardCharsets.UTF_8);
        Console.get().line(text.endsWith("\n") ? text.substring(0, text.length() - 1) : text);
    }
}
