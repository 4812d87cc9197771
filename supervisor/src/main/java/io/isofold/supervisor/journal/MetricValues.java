package io.isofold.supervisor.journal;

import com.google.common.collect.Interner;
import com.google.common.collect.Interners;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An attempt's metrics as the run keeps them, for every completed attempt and the whole run: the
 * values in one {@code double[]}, the names in an array shared by every attempt that reported the
 * same names (they all do, as a rule): 8 bytes per value, where a map of boxed doubles takes four
 * to five times that. What a run holds grows with its completed attempts times their metrics, so
 * the constant matters (docs/limits.md).
 *
 * <p>Immutable, in the worker's order, read-only like {@code Map.copyOf}; unlike it, a null value (a
 * hand-edited journal) is kept, as null. Thread-safe.
 */
public final class MetricValues extends AbstractMap<String, Double> {
    // weak: the name arrays of a run that is over (a test JVM runs many) go with its last attempt
    private static final Interner<Names> NAMES = Interners.newWeakInterner();

    private final Names names;
    /** NaN stands for a null value: a worker's metrics are finite (ResultCheck), so NaN is free for it. */
    private final double[] values;
    private Set<Entry<String, Double>> entries;

    private MetricValues(Names names, double[] values) {
        this.names = names;
        this.values = values;
    }

    /** The metrics, compact; {@code metrics} itself when it is compact already. Null reads as no metrics. */
    public static Map<String, Double> of(Map<String, Double> metrics) {
        if (metrics == null || metrics.isEmpty()) {
            return Map.of();
        }
        if (metrics instanceof MetricValues compact) {
            return compact;
        }
        String[] keys = new String[metrics.size()];
        double[] values = new double[keys.length];
        int i = 0;
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            keys[i] = e.getKey();
            values[i] = e.getValue() == null ? Double.NaN : e.getValue();
            i++;
        }
        return new MetricValues(NAMES.intern(new Names(keys)), values);
    }

    @Override
    public int size() {
        return values.length;
    }

    @Override
    public boolean containsKey(Object key) {
        return names.indexOf(key) >= 0;
    }

    @Override
    public Double get(Object key) {
        int i = names.indexOf(key);
        return i < 0 ? null : value(i);
    }

    private Double value(int i) {
        double v = values[i];
        return Double.isNaN(v) ? null : v;
    }

    /** The names, without boxing a value per name as the map's default key set would. */
    @Override
    public Set<String> keySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<String> iterator() {
                return Arrays.asList(names.keys).iterator();
            }

            @Override
            public int size() {
                return values.length;
            }

            @Override
            public boolean contains(Object o) {
                return names.indexOf(o) >= 0;
            }
        };
    }

    @Override
    public Set<Entry<String, Double>> entrySet() {
        Set<Entry<String, Double>> set = entries;
        if (set == null) {
            set = new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, Double>> iterator() {
                    return new Iterator<>() {
                        private int next;

                        @Override
                        public boolean hasNext() {
                            return next < values.length;
                        }

                        @Override
                        public Entry<String, Double> next() {
                            if (next >= values.length) {
                                throw new NoSuchElementException();
                            }
                            int i = next++;
                            return new SimpleImmutableEntry<>(names.keys[i], value(i));
                        }
                    };
                }

                @Override
                public int size() {
                    return values.length;
                }
            };
            entries = set;
        }
        return set;
    }

    /** The names of one attempt's metrics, in order; one instance per distinct list in the JVM. */
    private static final class Names {
        private final String[] keys;
        private final int hash;
        private volatile Map<String, Integer> index;

        Names(String[] keys) {
            this.keys = keys;
            this.hash = Arrays.hashCode(keys);
        }

        int indexOf(Object key) {
            if (keys.length <= 8) {
                for (int i = 0; i < keys.length; i++) {
                    if (java.util.Objects.equals(keys[i], key)) {
                        return i;
                    }
                }
                return -1;
            }
            Map<String, Integer> map = index;
            if (map == null) {
                // built on first use, not for the candidates the interner throws away; two threads may
                // both build it, to the same content
                map = new HashMap<>(keys.length * 2);
                for (int i = 0; i < keys.length; i++) {
                    map.putIfAbsent(keys[i], i);
                }
                index = map;
            }
            Integer i = map.get(key);
            return i == null ? -1 : i;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Names other && hash == other.hash && Arrays.equals(keys, other.keys);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
