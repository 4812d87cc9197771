package io.isofold.worker.train;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.framework.optimizers.Optimizer;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * Adam (Kingma and Ba, 2014) as tensorflow-framework's Adam computes it, but with its bias-correction
 * step in order. The framework's Adam adds the updates of beta1_power and beta2_power as siblings of
 * the variables' ApplyAdam ops, with no dependency between them, so some variables of a step are
 * corrected with the powers of the next step, at random. That made reruns with the same seed drift
 * apart. Here the powers advance only after every variable of the step has been updated.
 */
final class SequencedAdam extends Optimizer {
    private static final String FIRST_MOMENT = "m";
    private static final String SECOND_MOMENT = "v";

    private final float learningRate;
    private final float betaOne = 0.9f;
    private final float betaTwo = 0.999f;
    private final float epsilon = 1e-7f; // Keras' default, rather than the paper's 1e-8

    private Variable<TFloat32> betaOnePower;
    private Variable<TFloat32> betaTwoPower;

    SequencedAdam(Graph graph, float learningRate) {
        super(graph, "Adam");
        this.learningRate = learningRate;
    }

    @Override
    protected void createSlots(List<Output<? extends TType>> variables) {
        Ops init = tf.withInitScope();
        for (Output<? extends TType> v : variables) {
            Output<TFloat32> f = floats(v);
            createSlot(f, FIRST_MOMENT, init.zeros(init.constant(f.shape()), TFloat32.class));
            createSlot(f, SECOND_MOMENT, init.zeros(init.constant(f.shape()), TFloat32.class));
        }
        betaOnePower = Ops.create(graph).withName("beta1_power").variable(init.constant(betaOne));
        betaTwoPower = Ops.create(graph).withName("beta2_power").variable(init.constant(betaTwo));
    }

    @Override
    protected <T extends TType> Op applyDense(Ops ops, Output<T> gradient, Output<T> variable) {
        Output<TFloat32> v = floats(variable);
        return ops.train.applyAdam(v,
                getSlot(v, FIRST_MOMENT).orElseThrow(),
                getSlot(v, SECOND_MOMENT).orElseThrow(),
                betaOnePower, betaTwoPower,
                ops.constant(learningRate), ops.constant(betaOne), ops.constant(betaTwo), ops.constant(epsilon),
                floats(gradient));
    }

    @Override
    protected Op finish(List<Op> updates, String name) {
        Ops after = Ops.create(graph).withControlDependencies(updates);
        Op advanceOne = after.assign(betaOnePower, after.math.mul(betaOnePower, after.constant(betaOne)));
        Op advanceTwo = after.assign(betaTwoPower, after.math.mul(betaTwoPower, after.constant(betaTwo)));
        return Ops.create(graph).withName(name).withControlDependencies(List.of(advanceOne, advanceTwo)).noOp();
    }

    /**
     * Adam's own state after {@link #applyGradients}: each variable's first and second moments, in the order of
     * {@code variables}, then the two bias-correction powers (which count the steps taken).
     */
    List<Variable<TFloat32>> state(List<Variable<TFloat32>> variables) {
        List<Variable<TFloat32>> state = new ArrayList<>();
        for (Variable<TFloat32> v : variables) {
            state.add(getSlot(v.asOutput(), FIRST_MOMENT).orElseThrow());
            state.add(getSlot(v.asOutput(), SECOND_MOMENT).orElseThrow());
        }
        state.add(betaOnePower);
        state.add(betaTwoPower);
        return state;
    }

    @Override
    public String getOptimizerName() {
        return "Adam";
    }

    @SuppressWarnings("unchecked")
    private static Output<TFloat32> floats(Output<? extends TType> o) {
        if (o.type() != TFloat32.class) {
            throw new IllegalArgumentException(o.op().name() + " is not float32");
        }
        return (Output<TFloat32>) o;
    }
}
