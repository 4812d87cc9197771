package io.isofold.supervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.spi.FilterReply;
import io.isofold.supervisor.progress.ConsoleLogAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The logging LogConfigurator sets up is what logback.xml used to: one console appender, INFO, WARN on a terminal. */
@Tag("unit")
class LogConfiguratorTest {
    @AfterEach
    void clearProperties() {
        System.clearProperty(LogConfigurator.LEVEL_PROPERTY);
        System.clearProperty("logback.configurationFile");
    }

    private static Logger configuredRoot() {
        LoggerContext context = new LoggerContext();
        LogConfigurator configurator = new LogConfigurator();
        configurator.setContext(context);
        assertThat(configurator.configure(context)).isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
        return context.getLogger(Logger.ROOT_LOGGER_NAME);
    }

    private static FilterReply consoleTakes(Logger root, Level level) {
        ConsoleLogAppender console = (ConsoleLogAppender) root.getAppender("CONSOLE");
        LoggingEvent event = new LoggingEvent(null, root, level, "x", null, null);
        return console.getFilterChainDecision(event);
    }

    @Test
    void oneStartedConsoleAppenderAtInfo() {
        Logger root = configuredRoot();
        assertThat(root.getLevel()).isEqualTo(Level.INFO);
        assertThat(root.iteratorForAppenders()).toIterable().singleElement()
                .isInstanceOf(ConsoleLogAppender.class)
                .satisfies(a -> assertThat(a.isStarted()).isTrue());
        assertThat(consoleTakes(root, Level.INFO)).isEqualTo(FilterReply.NEUTRAL);
        assertThat(((ConsoleLogAppender) root.getAppender("CONSOLE")).getCopyOfAttachedFiltersList())
                .singleElement().isInstanceOf(ThresholdFilter.class);
    }

    @Test
    void onATerminalTheConsoleShowsWarningsOnly() {
        System.setProperty(LogConfigurator.LEVEL_PROPERTY, "WARN");
        Logger root = configuredRoot();
        assertThat(consoleTakes(root, Level.INFO)).isEqualTo(FilterReply.DENY);
        assertThat(consoleTakes(root, Level.WARN)).isEqualTo(FilterReply.NEUTRAL);
    }

    @Test
    void aConfigurationFileOfTheUsersOwnWins() {
        System.setProperty("logback.configurationFile", "/nonexistent/logback.xml");
        LoggerContext context = new LoggerContext();
        LogConfigurator configurator = new LogConfigurator();
        configurator.setContext(context);
        assertThat(configurator.configure(context)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders()).isExhausted();
    }

    /** Issue 18 item 8: an overnight log had times without a date ("03:12:40 INFO ..."). */
    @Test
    void consoleLinesCarryTheirDate() {
        LoggerContext context = new LoggerContext();
        ch.qos.logback.classic.encoder.PatternLayoutEncoder encoder = new ch.qos.logback.classic.encoder.PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(LogConfigurator.CONSOLE_PATTERN);
        encoder.start();
        java.time.Instant at = java.time.Instant.parse("2026-12-07T03:12:40Z");
        LoggingEvent event = new LoggingEvent(null, context.getLogger("isofold"), Level.INFO, "replicate 3 completed",
                null, null);
        event.setTimeStamp(at.toEpochMilli());
        String line = new String(encoder.encode(event), java.nio.charset.StandardCharsets.UTF_8);
        String day = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", java.util.Locale.ROOT)
                .format(at.atZone(java.time.ZoneId.systemDefault()));
        assertThat(line).isEqualTo(day + " INFO  replicate 3 completed" + System.lineSeparator());
    }
}
