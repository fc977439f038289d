package io.jsyd.runtime.policy;

import java.time.Duration;

/**
 * Durations and sizes as policy text writes them: {@code 30s}, {@code 1h30m},
 * {@code 250ms}, a bare number of seconds; {@code 512M}, {@code 2GiB}, {@code 1GB}.
 */
final class Durations {
    private Durations() {
    }

    /** Parses {@code 90}, {@code 90s}, {@code 1m30s}, {@code 2h}, {@code 1d}, {@code 500ms}. */
    static Duration parse(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("expected a duration such as 30s, 5m or 1h30m, got nothing");
        }
        if (text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return positive(Duration.ofSeconds(bounded(text, text)), text);
        }
        Duration total = Duration.ZERO;
        int i = 0;
        while (i < text.length()) {
            int start = i;
            while (i < text.length() && digit(text.charAt(i))) {
                i++;
            }
            int unitStart = i;
            while (i < text.length() && (text.charAt(i) >= 'a' && text.charAt(i) <= 'z')) {
                i++;
            }
            if (start == unitStart || unitStart == i) {
                throw bad(text);
            }
            long n = bounded(text.substring(start, unitStart), text);
            Duration part = switch (text.substring(unitStart, i)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> throw bad(text);
            };
            total = total.plus(part);
        }
        return positive(total, text);
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    private static long bounded(String digits, String text) {
        // Ten digits of days is already past anything a container waits for.
        if (digits.length() > 10) {
            throw new IllegalArgumentException("duration " + GlobSyntax.shorten(text) + " is too long");
        }
        return Long.parseLong(digits);
    }

    private static Duration positive(Duration d, String text) {
        if (d.isZero()) {
            throw new IllegalArgumentException("expected a positive duration, got " + text
                    + " (write timeout:none for no timeout)");
        }
        return d;
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("expected a duration such as 30s, 5m, 1h30m or 500ms, got '"
                + GlobSyntax.shorten(text) + "'");
    }

    /** The shortest text {@link #parse} reads back as the same duration. */
    static String format(Duration d) {
        if (d.toMillisPart() != 0 || d.getNano() % 1_000_000 != 0) {
            return d.toMillis() + "ms";
        }
        StringBuilder sb = new StringBuilder();
        long days = d.toDays();
        if (days > 0) {
            sb.append(days).append('d');
        }
        if (d.toHoursPart() > 0) {
            sb.append(d.toHoursPart()).append('h');
        }
        if (d.toMinutesPart() > 0) {
            sb.append(d.toMinutesPart()).append('m');
        }
        if (d.toSecondsPart() > 0) {
            sb.append(d.toSecondsPart()).append('s');
        }
        return sb.toString();
    }

    /**
     * Parses a byte count: a number with an optional unit. K, M, G, T (and KiB, MiB,
     * GiB, TiB) are powers of 1024, as memory limits usually are; KB, MB, GB, TB are
     * powers of 1000. Case does not matter; B or no unit means bytes.
     */
    static long parseSize(String text) {
        int i = 0;
        while (i < text.length() && digit(text.charAt(i))) {
            i++;
        }
        if (i == 0 || i > 19) {
            throw badSize(text);
        }
        long n = Long.parseLong(text.substring(0, i));
        long unit = switch (text.substring(i).toLowerCase(java.util.Locale.ROOT)) {
            case "", "b" -> 1L;
            case "k", "ki", "kib" -> 1L << 10;
            case "m", "mi", "mib" -> 1L << 20;
            case "g", "gi", "gib" -> 1L << 30;
            case "t", "ti", "tib" -> 1L << 40;
            case "kb" -> 1_000L;
            case "mb" -> 1_000_000L;
            case "gb" -> 1_000_000_000L;
            case "tb" -> 1_000_000_000_000L;
            default -> throw badSize(text);
        };
        try {
            return Math.multiplyExact(n, unit);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("size " + GlobSyntax.shorten(text) + " does not fit in 64 bits");
        }
    }

    private static IllegalArgumentException badSize(String text) {
        return new IllegalArgumentException("expected a size such as 512M, 2G or 1073741824, got '"
                + GlobSyntax.shorten(text) + "'");
    }
}
