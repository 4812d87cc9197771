package io.isofold.supervisor.cli;

import io.isofold.supervisor.spec.Durations;
import io.isofold.supervisor.spec.GpuRequest;
import io.isofold.supervisor.spec.MetricGoal;
import io.isofold.supervisor.spec.Sizes;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** picocli converters for the values users type: durations, sizes, metric goals. */
final class Converters {
    private Converters() {}

    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class SizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Sizes.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A size, or {@code none} ({@link #NONE}): no cap. */
    static final class LogSizeConverter implements ITypeConverter<Long> {
        static final long NONE = 0;

        @Override
        public Long convert(String value) {
            if (value.trim().equalsIgnoreCase(io.isofold.supervisor.spec.RunSpec.NO_LOG_CAP)) {
                return NONE;
            }
            try {
                return Sizes.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage() + ", or none");
            }
        }
    }

    static final class MetricConverter implements ITypeConverter<MetricGoal> {
        @Override
        public MetricGoal convert(String value) {
            try {
                return MetricGoal.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class GpuRequestConverter implements ITypeConverter<GpuRequest> {
        @Override
        public GpuRequest convert(String value) {
            try {
                return GpuRequest.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class BackendConverter implements ITypeConverter<io.isofold.supervisor.spec.RunSpec.Backend> {
        @Override
        public io.isofold.supervisor.spec.RunSpec.Backend convert(String value) {
            var b = io.isofold.supervisor.spec.RunSpec.Backend.of(value.trim().toLowerCase(java.util.Locale.ROOT));
            if (b == null) {
                throw new TypeConversionException("'" + value + "' is not a backend: local or slurm");
            }
            return b;
        }
    }
}
