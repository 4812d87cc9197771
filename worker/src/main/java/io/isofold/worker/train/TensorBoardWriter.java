package io.isofold.worker.train;

import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.summary.SummaryWriter;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Writes scalar summaries as TensorBoard event files. It keeps its own small graph and session so that
 * the summary ops never end up in the training graph, and so in the exported SavedModel.
 */
public final class TensorBoardWriter implements AutoCloseable {
    private final Graph graph = new Graph();
    private final Session session;
    private final Placeholder<TInt64> step;
    private final Placeholder<TString> tag;
    private final Placeholder<TFloat32> value;
    private final Op write;
    private final Op flush;
    private final Op closeWriter;

    public TensorBoardWriter(Path logDir) {
        Ops tf = Ops.create(graph);
        SummaryWriter writer = tf.summary.summaryWriter();
        Op create = tf.summary.createSummaryFileWriter(writer, tf.constant(logDir.toAbsolutePath().toString()),
                tf.constant(10), tf.constant(1000), tf.constant(".v2"));
        step = tf.placeholder(TInt64.class);
        tag = tf.placeholder(TString.class);
        value = tf.placeholder(TFloat32.class);
        write = tf.summary.writeScalarSummary(writer, step, tag, value);
        flush = tf.summary.flushSummaryWriter(writer);
        closeWriter = tf.summary.closeSummaryWriter(writer);
        session = new Session(graph);
        session.run(create);
    }

    public void scalar(String name, long epoch, double v) {
        try (TInt64 s = TInt64.scalarOf(epoch);
             TString t = TString.scalarOf(name);
             TFloat32 x = TFloat32.scalarOf((float) v)) {
            session.runner().feed(step, s).feed(tag, t).feed(value, x).addTarget(write).run().close();
        }
    }

    public void flush() {
        session.run(flush);
    }

    @Override
    public void close() {
        try {
            session.run(closeWriter);
        } finally {
            session.close();
            graph.close();
        }
    }
}
