package io.jsyd.runtime.supervisor;

import io.jsyd.runtime.text.JsonText;
import io.jsyd.runtime.policy.Decision;
import java.io.PrintStream;
import java.time.Clock;

/**
 * Where the decisions that are not silent go: one JSON object a line, written
 * whole (lines of concurrent workers never interleave).
 */
public final class DecisionLog {
    private final PrintStream out;
    private final String containerId;
    private final Clock clock;

    public DecisionLog(PrintStream out, String containerId, Clock clock) {
        this.out = out;
        this.containerId = containerId;
        this.clock = clock;
    }

    public DecisionLog(PrintStream out, String containerId) {
        this(out, containerId, Clock.systemUTC());
    }

    /**
     * @param target     "path" or "addr"
     * @param subject    the container path or address the decision was about
     */
    public void record(int pid, String syscall, Decision d, String target, String subject) {
        out.println(line(pid, syscall, d, target, subject));
        out.flush();
    }

    /**
     * What the policy's Landlock rules could not get on this kernel or in this
     * container (best effort: the container runs without it), as one line.
     */
    public void landlock(String note) {
        StringBuilder b = new StringBuilder(200);
        b.append("{\"time\":\"").append(clock.instant()).append('"');
        field(b, "id", containerId);
        field(b, "category", "lock");
        field(b, "action", "warn");
        field(b, "note", note);
        out.println(b.append('}'));
        out.flush();
    }

    /**
     * A decision of the ptrace layer: its category ({@code mem}, {@code pid},
     * {@code tpe}, {@code force}, {@code memory}, {@code stack}), action and the
     * policy line that decided, with why.
     */
    public void record(int pid, String syscall, String category, String action, String rule, String reason,
                       String target, String subject) {
        StringBuilder b = new StringBuilder(200);
        b.append("{\"time\":\"").append(clock.instant()).append('"');
        field(b, "id", containerId);
        b.append(",\"pid\":").append(pid);
        field(b, "syscall", syscall);
        field(b, "category", category);
        if (subject != null) {
            field(b, target, subject);
        }
        field(b, "action", action);
        field(b, "rule", rule);
        field(b, "reason", reason);
        out.println(b.append('}'));
        out.flush();
    }

    /**
     * A call the supervisor failed to handle (a bug or a kernel refusal it did not
     * expect): the caller got {@code errno}, and this line says why.
     */
    public void failure(int pid, String syscall, int errno, String note) {
        StringBuilder b = new StringBuilder(200);
        b.append("{\"time\":\"").append(clock.instant()).append('"');
        field(b, "id", containerId);
        b.append(",\"pid\":").append(pid);
        field(b, "syscall", syscall);
        field(b, "category", "supervisor");
        field(b, "action", "deny");
        b.append(",\"errno\":").append(errno);
        field(b, "note", note);
        out.println(b.append('}'));
        out.flush();
    }

    String line(int pid, String syscall, Decision d, String target, String subject) {
        StringBuilder b = new StringBuilder(200);
        b.append("{\"time\":\"").append(clock.instant()).append('"');
        field(b, "id", containerId);
        b.append(",\"pid\":").append(pid);
        field(b, "syscall", syscall);
        field(b, "category", d.category().spelling());
        field(b, target, subject);
        field(b, "action", d.action().spelling());
        if (d.rule().isPresent()) {
            field(b, "rule", d.rule().get().line());
            field(b, "origin", d.rule().get().origin().format());
        } else {
            field(b, "rule", "default/" + d.category().spelling() + ":" + d.action().spelling());
        }
        return b.append('}').toString();
    }

    private static void field(StringBuilder b, String name, String value) {
        b.append(",\"").append(name).append("\":");
        JsonText.quote(b, value);
    }
}
