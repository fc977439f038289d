package io.jsyd.oci.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Durations written as Go's time.ParseDuration reads them ({@code 5s}, {@code 1m30s},
 * {@code 1.5h}, {@code 300ms}), because runc's duration flags are documented and used so.
 */
public final class GoDuration implements ITypeConverter<Duration> {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    static Duration parse(String value) {
        String s = value;
        boolean negative = false;
        if (s.startsWith("-") || s.startsWith("+")) {
            negative = s.startsWith("-");
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw invalid(value);
        }
        Matcher m = PART.matcher(s);
        BigDecimal nanos = BigDecimal.ZERO;
        int end = 0;
        while (end < s.length()) {
            if (!m.find(end) || m.start() != end) {
                throw invalid(value);
            }
            nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitNanos(m.group(2)))));
            end = m.end();
        }
        try {
            // Go drops fractions of a nanosecond and refuses more than ~292 years.
            long n = nanos.setScale(0, RoundingMode.DOWN).longValueExact();
            return Duration.ofNanos(negative ? -n : n);
        } catch (ArithmeticException e) {
            throw invalid(value);
        }
    }

    private static long unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> throw new IllegalArgumentException(unit);
        };
    }

    private static TypeConversionException invalid(String value) {
        return new TypeConversionException("invalid duration '" + value + "' (e.g. 5s, 1m30s, 300ms)");
    }
}
