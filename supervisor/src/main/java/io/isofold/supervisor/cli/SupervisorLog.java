package io.isofold.supervisor.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import io.isofold.supervisor.text.TerminalText;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/** Adds the run's {@code supervisor.log} to the logging {@link LogConfigurator} set up, once the output directory is known. */
final class SupervisorLog {
    private SupervisorLog() {}

    static void attachFile(Path file) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder() {
            /** Worker text in a message (a stderr tail, a metric name) must not drive a terminal showing the log. */
            @Override
            public byte[] encode(ILoggingEvent event) {
                String line = TerminalText.safe(layout.doLayout(event));
                return getCharset() == null ? line.getBytes() : line.getBytes(getCharset());
            }
        };
        encoder.setContext(context);
        encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{0} - %msg%n");
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setName("RUN_FILE");
        appender.setFile(file.toString());
        appender.setAppend(true);
        appender.setEncoder(encoder);
        appender.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
    }
}
