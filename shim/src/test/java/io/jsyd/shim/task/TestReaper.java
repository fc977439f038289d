package io.jsyd.shim.task;

import java.io.OutputStream;
import java.io.PrintStream;

/**
 * The one running reaper of the test JVM. A reaper reaps every child of the
 * process: two running at once would take each other's exits (and the init stubs
 * their launchers wait for), so the tests that run containers share this one.
 */
final class TestReaper {
    private static final class Holder {
        static final Reaper REAPER = start();

        private static Reaper start() {
            Reaper r = new Reaper(new PrintStream(OutputStream.nullOutputStream(), true));
            r.start();
            return r;
        }
    }

    private TestReaper() {
    }

    static Reaper get() {
        return Holder.REAPER;
    }
}
