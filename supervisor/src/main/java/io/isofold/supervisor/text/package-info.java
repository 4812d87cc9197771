/**
 * Text from workers made safe to show: {@link io.isofold.supervisor.text.TerminalText} escapes what a
 * terminal would act on instead of printing (escape sequences, C1 controls, bidirectional overrides), for
 * the console and the log ({@code progress}, {@code cli}) and the pages and tables of {@code report} alike.
 *
 * <p>Never imports another package of the supervisor.
 */
package io.isofold.supervisor.text;
