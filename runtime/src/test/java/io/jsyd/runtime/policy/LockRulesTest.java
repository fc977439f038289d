package io.jsyd.runtime.policy;

import static io.jsyd.runtime.policy.PolicyParserTest.assertProblem;
import static io.jsyd.runtime.policy.PolicyParserTest.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class LockRulesTest {
    @Test
    void landlockIsOffUnlessTurnedOnAndStrictByDefault() throws PolicyException {
        assertEquals(LockPolicy.OFF, parse("sandbox/read:on").landlock());
        LockPolicy l = parse("sandbox/lock:on").landlock();
        assertTrue(l.on());
        assertEquals(LockMode.STRICT, l.mode());
        assertEquals(EnumSet.allOf(LockScope.class), l.scopes());
        assertFalse(parse("sandbox/lock:on").isEmpty(), "a Landlock-only policy still asks for something");
        assertFalse(parse("sandbox/lock:on\nsandbox/lock:off").landlock().on());
    }

    @Test
    void modeAndScopesInSydsSpelling() throws PolicyException {
        assertEquals(LockMode.BEST_EFFORT, parse("default/lock:warn").landlock().mode());
        assertEquals(LockMode.STRICT, parse("default/lock:warn\ndefault/lock:kill").landlock().mode());
        assertEquals(EnumSet.of(LockScope.SIGNAL), parse("lock/scope:signal").landlock().scopes());
        assertEquals(EnumSet.noneOf(LockScope.class), parse("lock/scope:none").landlock().scopes());
        assertEquals(EnumSet.allOf(LockScope.class), parse("lock/scope:abstract,signal").landlock().scopes());
    }

    @Test
    void rulesGrantOneRightOnOneTargetAndKeepTheirLine() throws PolicyException {
        List<LockRule> rules = parse("""
                sandbox/lock:on
                allow/lock/read,readdir+/usr
                allow/lock/bind,connect+8000-8080
                allow/lock/connect+80,443
                allow/lock/bind+/run/app.sock
                """).landlock().rules();
        assertEquals(List.of("allow/lock/read+/usr", "allow/lock/readdir+/usr", "allow/lock/bind+8000-8080",
                "allow/lock/connect+8000-8080", "allow/lock/connect+80", "allow/lock/connect+443",
                "allow/lock/bind+/run/app.sock"), rules.stream().map(LockRule::line).toList());
        assertEquals(new Origin("test.jsyd", 4), rules.get(4).origin());
        assertEquals(new LockTarget.Ports(new PortRange(8000, 8080)), rules.get(2).target());
    }

    @Test
    void allStandsForEveryPathRightButBind() throws PolicyException {
        List<LockRule> rules = parse("allow/lock/all+/tmp").landlock().rules();
        assertEquals(LockRight.values().length - 2, rules.size());
        assertTrue(rules.stream().noneMatch(r -> r.right().takesPorts()));
    }

    @Test
    void minusRemovesTheLatestEqualRuleAndCaretEveryOne() throws PolicyException {
        String base = "allow/lock/read+/usr\nallow/lock/write+/usr\nallow/lock/read+/usr\n";
        List<LockRule> one = parse(base + "allow/lock/read-/usr").landlock().rules();
        assertEquals(List.of(1, 2), one.stream().map(r -> r.origin().line()).toList());
        List<LockRule> all = parse(base + "allow/lock/read^/usr").landlock().rules();
        assertEquals(List.of(2), all.stream().map(r -> r.origin().line()).toList());
    }

    @Test
    void renderedPolicyParsesBackToTheSame() throws PolicyException {
        Policy p = parse("""
                sandbox/lock:on
                default/lock:warn
                lock/scope:signal
                allow/lock/read,exec+/bin
                allow/lock/connect+80
                """);
        Policy again = parse(p.render());
        assertEquals(p.landlock().on(), again.landlock().on());
        assertEquals(p.landlock().mode(), again.landlock().mode());
        assertEquals(p.landlock().scopes(), again.landlock().scopes());
        assertEquals(p.landlock().rules().stream().map(LockRule::line).toList(),
                again.landlock().rules().stream().map(LockRule::line).toList());
    }

    @Test
    void badLinesNameWhatWasExpected() {
        assertProblem("deny/lock/read+/usr", "test.jsyd:1: Landlock can only grant");
        assertProblem("allow/lock/read+/usr/***", "write '/usr' (no globs)");
        assertProblem("allow/lock/read+usr", "expected an absolute path or TCP ports");
        assertProblem("allow/lock/read+/usr/../etc", "without '.', '..' or '//'");
        assertProblem("allow/lock/read+/usr/", "trailing '/'");
        assertProblem("allow/lock/read+80", "lock/read takes a path");
        assertProblem("allow/lock/connect+/run/x", "lock/connect takes TCP ports");
        assertProblem("allow/lock/connect+70000", "TCP ports (0-65535");
        assertProblem("allow/lock/connect+90-80", "goes up");
        assertProblem("allow/lock/list+/usr", "unknown Landlock right 'list'");
        assertProblem("allow/lock/read/usr", "expected '+' (add)");
        assertProblem("default/lock:deny", "expected default/lock:kill");
        assertProblem("sandbox/lock:maybe", "expected on or off after sandbox/lock:");
        assertProblem("sandbox/read,lock:on", "lock stands alone");
        assertProblem("lock/scope:pipes", "unknown scope 'pipes'");
        assertProblem("lock/mode:strict", "expected lock/scope:");
        assertProblem("lock:on\nallow/lock/read+/usr", "test.jsyd:2: the policy was locked");
    }
}
