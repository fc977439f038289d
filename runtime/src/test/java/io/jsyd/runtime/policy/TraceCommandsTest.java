package io.jsyd.runtime.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The ptrace layer's lines of policy text. */
class TraceCommandsTest {
    private static final String HASH = "a".repeat(64);

    private static Policy parse(String text) throws PolicyException {
        return PolicyParser.parse("test", text);
    }

    @Test
    void everyCheckStartsOff() throws PolicyException {
        TracePolicy t = parse("sandbox/read:on\n").trace();
        assertFalse(t.needsTracer());
        assertEquals(TracePolicy.NONE, Policy.EMPTY.trace());
    }

    @Test
    void sandboxLinesTurnChecksOnAndOffAndMayNotMixWithNotifyCategories() throws PolicyException {
        TracePolicy t = parse("sandbox/tpe,force:on\nsandbox/force:off\n").trace();
        assertEquals(EnumSet.of(TraceCategory.TPE), t.sandboxed());
        PolicyException e = assertThrows(PolicyException.class, () -> parse("sandbox/read,tpe:on"));
        assertTrue(e.getMessage().contains("unknown category 'tpe'"), e.getMessage());
    }

    @Test
    void theMemoryProtectionsUseSydsUnsafeSwitches() throws PolicyException {
        TracePolicy t = parse("trace/allow_unsafe_memory:0\ntrace/allow_unsafe_stack:0\n").trace();
        assertEquals(EnumSet.of(TraceCategory.MEMORY, TraceCategory.STACK), t.sandboxed());
        assertFalse(parse("trace/allow_unsafe_memory:0\ntrace/allow_unsafe_memory:1\n").trace().needsTracer());
        assertThrows(PolicyException.class, () -> parse("trace/allow_unsafe_memory:maybe"));
        assertThrows(PolicyException.class, () -> parse("trace/allow_unsafe_everything:1"));
    }

    @Test
    void aLimitTurnsItsCheckOnUnlessASandboxLineSaysOff() throws PolicyException {
        assertTrue(parse("mem/max:64M").trace().isOn(TraceCategory.MEM));
        assertTrue(parse("pid/max:8").trace().isOn(TraceCategory.PID));
        assertFalse(parse("pid/max:8\nsandbox/pid:off").trace().isOn(TraceCategory.PID));
        assertFalse(parse("mem/max:0").trace().isOn(TraceCategory.MEM));
    }

    @Test
    void defaultsAreSydsUntilALineSetsThem() throws PolicyException {
        TracePolicy t = parse("default/force,tpe:kill\n").trace();
        assertEquals(Action.KILL, t.action(TraceCategory.FORCE));
        assertEquals(Action.KILL, t.action(TraceCategory.TPE));
        assertEquals(Action.DENY, t.action(TraceCategory.MEM));
        assertEquals(Action.KILL, t.action(TraceCategory.PID));
        PolicyException e = assertThrows(PolicyException.class, () -> parse("default/pid:maybe"));
        assertTrue(e.getMessage().contains("test:1"), e.getMessage());
    }

    @Test
    void forceRulesTakeAPathAHashAndAnOptionalAction() throws PolicyException {
        TracePolicy t = parse("force+/usr/bin/a:" + HASH + "\nforce+/usr/bin/b:c:" + HASH + ":kill\n").trace();
        assertEquals(Optional.empty(), t.force().get("/usr/bin/a").action());
        assertEquals(Optional.of(Action.KILL), t.force().get("/usr/bin/b:c").action());
        assertEquals(2, t.force().get("/usr/bin/b:c").origin().line());
        assertEquals(1, parse("force+/a:" + HASH + "\nforce+/b:" + HASH + "\nforce-/a").trace().force().size());
        assertEquals(0, parse("force+/a:" + HASH + "\nforce^").trace().force().size());
        PolicyException e = assertThrows(PolicyException.class, () -> parse("force+/a:abc"));
        assertTrue(e.getMessage().contains("64 lower-case hex digits"), e.getMessage());
        assertThrows(PolicyException.class, () -> parse("force+relative:" + HASH));
        assertThrows(PolicyException.class, () -> parse("force+/a"));
    }

    @Test
    void renderedTextParsesBackToTheSameTracePolicy() throws PolicyException {
        Policy p = parse("trace/allow_unsafe_memory:0\nsandbox/tpe:on\ntpe/user_owned:1\ndefault/force:warn\n"
                + "force+/bin/x:" + HASH + ":stop\nmem/max:1G\npid/max:9\nsandbox/pid:off\n");
        Policy again = parse(p.render());
        assertEquals(p.trace().sandboxed(), again.trace().sandboxed());
        assertEquals(p.trace().defaults(), again.trace().defaults());
        assertEquals(p.trace().force().keySet(), again.trace().force().keySet());
        assertTrue(again.trace().tpeUserOwned());
        assertEquals(p.limits(), again.limits());
    }

    @Test
    void lockAlsoFreezesTheTraceLines() {
        PolicyException e = assertThrows(PolicyException.class, () -> parse("lock:on\nsandbox/tpe:on"));
        assertTrue(e.getMessage().contains("locked"), e.getMessage());
    }
}
