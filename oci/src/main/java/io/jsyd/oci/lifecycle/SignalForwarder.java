package io.jsyd.oci.lifecycle;

import io.jsyd.runtime.linux.Processes;
import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * While a foreground container runs, the signals a terminal or supervisor sends to
 * jsyd-oci go to the container's init instead, as runc forwards them.
 */
final class SignalForwarder implements AutoCloseable {
    private static final List<String> FORWARDED = List.of("INT", "TERM", "HUP", "QUIT", "USR1", "USR2", "WINCH");

    private record Installed(Signal signal, SignalHandler previous) {
    }

    private final List<Installed> installed = new ArrayList<>();
    private final List<String> refused = new ArrayList<>();

    private SignalForwarder() {
    }

    /**
     * @param onWinch what SIGWINCH does instead of being forwarded (a terminal resize, as
     *                runc does when it holds the container's terminal); null to forward it
     */
    static SignalForwarder to(int pid, Runnable onWinch) {
        SignalForwarder f = new SignalForwarder();
        for (String name : FORWARDED) {
            Signal s = new Signal(name);
            SignalHandler handler = name.equals("WINCH") && onWinch != null
                    ? sig -> onWinch.run()
                    : sig -> Processes.signalIfAlive(pid, sig.getNumber());
            try {
                f.installed.add(new Installed(s, Signal.handle(s, handler)));
            } catch (IllegalArgumentException e) {
                // the JVM keeps a few signals for itself (QUIT without -Xrs): they stay the JVM's
                f.refused.add(name);
            }
        }
        return f;
    }

    /** The signals the JVM would not give up, for the debug log. */
    List<String> refused() {
        return List.copyOf(refused);
    }

    @Override
    public void close() {
        for (Installed i : installed) {
            Signal.handle(i.signal(), i.previous());
        }
    }
}
