package io.isofold.supervisor.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;
import io.isofold.supervisor.progress.ConsoleLogAppender;

/**
 * The supervisor's logging, set up in code: console output only; {@link SupervisorLog} adds
 * supervisor.log in the output directory once it is known. The console appender hands lines to
 * {@link io.isofold.supervisor.progress.Console}, whose own thread writes them, so a console nobody
 * reads never blocks the run. On a terminal {@link IsofoldCommand} raises the console's level to WARN
 * (the live progress line shows the rest) through the system property {@value #LEVEL_PROPERTY}.
 *
 * <p>Code and not a logback.xml: logback's XML machinery (Joran: a SAX parser, a model, its
 * handlers) cost every start about 70 ms before the first journal line. Logback finds this class
 * through {@code META-INF/services/ch.qos.logback.classic.spi.Configurator}. A file named by
 * {@code -Dlogback.configurationFile} still wins, as it did over logback.xml.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {
    static final String LEVEL_PROPERTY = "isofold.console.level";
    /**
     * Every console line with its date, not the time alone: a run's log is read the morning after, or grows
     * over days of resumes, and "03:12" alone does not say which night. One format for every line keeps the
     * log sortable and easy to grep (supervisor.log has the full ISO-8601 time with its offset).
     */
    static final String CONSOLE_PATTERN = "%d{yyyy-MM-dd HH:mm:ss} %-5level %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(CONSOLE_PATTERN);
        encoder.start();
        ThresholdFilter threshold = new ThresholdFilter();
        threshold.setContext(context);
        threshold.setLevel(consoleLevel());
        threshold.start();
        ConsoleLogAppender console = new ConsoleLogAppender();
        console.setContext(context);
        console.setName("CONSOLE");
        console.setEncoder(encoder);
        console.addFilter(threshold);
        console.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(console);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Where logback.xml's ${isofold.console.level:-INFO} looked: a system property, then the environment. */
    private static String consoleLevel() {
        String level = System.getProperty(LEVEL_PROPERTY);
        if (level == null) {
            level = System.getenv(LEVEL_PROPERTY);
        }
        return level == null ? "INFO" : level;
    }
}
