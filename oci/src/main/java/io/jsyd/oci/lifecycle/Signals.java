package io.jsyd.oci.lifecycle;

import io.jsyd.oci.UsageException;
import java.util.Locale;
import java.util.Map;

/** Signal names and numbers as `kill` takes them: KILL, SIGKILL or 9. */
final class Signals {
    // Linux's numbers on x86-64 and arm64 (the generic table; sparc, mips and alpha differ)
    private static final Map<String, Integer> NUMBERS = Map.ofEntries(
            Map.entry("HUP", 1), Map.entry("INT", 2), Map.entry("QUIT", 3), Map.entry("ILL", 4),
            Map.entry("TRAP", 5), Map.entry("ABRT", 6), Map.entry("IOT", 6), Map.entry("BUS", 7),
            Map.entry("FPE", 8), Map.entry("KILL", 9), Map.entry("USR1", 10), Map.entry("SEGV", 11),
            Map.entry("USR2", 12), Map.entry("PIPE", 13), Map.entry("ALRM", 14), Map.entry("TERM", 15),
            Map.entry("STKFLT", 16), Map.entry("CHLD", 17), Map.entry("CONT", 18), Map.entry("STOP", 19),
            Map.entry("TSTP", 20), Map.entry("TTIN", 21), Map.entry("TTOU", 22), Map.entry("URG", 23),
            Map.entry("XCPU", 24), Map.entry("XFSZ", 25), Map.entry("VTALRM", 26), Map.entry("PROF", 27),
            Map.entry("WINCH", 28), Map.entry("IO", 29), Map.entry("POLL", 29), Map.entry("PWR", 30),
            Map.entry("SYS", 31));
    private static final int RTMIN = 34;
    private static final int RTMAX = 64;

    private Signals() {
    }

    static int parse(String s) throws UsageException {
        try {
            int n = Integer.parseInt(s);
            if (n <= 0 || n > RTMAX) {
                throw new UsageException("unknown signal \"" + s + "\"");
            }
            return n;
        } catch (NumberFormatException e) {
            // a name
        }
        String name = s.toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) {
            name = name.substring(3);
        }
        Integer n = NUMBERS.get(name);
        if (n != null) {
            return n;
        }
        if (name.startsWith("RTMIN") || name.startsWith("RTMAX")) {
            String off = name.substring(5);
            int base = name.startsWith("RTMIN") ? RTMIN : RTMAX;
            try {
                int v = off.isEmpty() ? base : base + Integer.parseInt(off);
                if (v >= RTMIN && v <= RTMAX) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // falls through to the error
            }
        }
        throw new UsageException("unknown signal \"" + s + "\"");
    }
}
