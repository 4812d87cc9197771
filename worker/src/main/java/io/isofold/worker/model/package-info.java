/**
 * The built-in networks, {@code cnn} and {@code mlp}: their variables, seeded and named
 * ({@link io.isofold.worker.model.Parameters}), and their forward pass with dropout, built into a graph that
 * the {@code train} package owns.
 *
 * <p>Never imports: data, device, train.
 */
package io.isofold.worker.model;
