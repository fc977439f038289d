package io.jsyd.runtime.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PolicyParserTest {
    static Policy parse(String text) throws PolicyException {
        return PolicyParser.parse("test.jsyd", text);
    }

    static List<String> problems(String text) {
        PolicyException e = assertThrows(PolicyException.class, () -> parse(text));
        return e.lines();
    }

    static String problem(String text) {
        List<String> lines = problems(text);
        assertEquals(1, lines.size(), () -> "expected one problem, got " + lines);
        return lines.getFirst();
    }

    static void assertProblem(String text, String fragment) {
        String m = problem(text);
        assertTrue(m.contains(fragment), () -> "'" + fragment + "' not in: " + m);
    }

    @Test
    void emptyTextIsTheEmptyPolicy() throws PolicyException {
        Policy p = parse("\n# only a comment\n   \n");
        assertEquals(Policy.EMPTY, p);
        assertTrue(p.isEmpty());
        for (Category c : Category.values()) {
            assertFalse(p.isSandboxed(c));
            assertEquals(Action.DENY, p.defaultAction(c));
            assertTrue(p.rules(c).isEmpty());
        }
    }

    @Test
    void sandboxTurnsCategoriesOnAndOff() throws PolicyException {
        Policy p = parse("sandbox/read,write,exec,stat,create,net:on\nsandbox/stat:off\n");
        assertEquals(EnumSet.of(Category.READ, Category.WRITE, Category.EXEC, Category.CREATE, Category.NET_BIND,
                Category.NET_CONNECT, Category.NET_SENDFD), p.sandboxed());
        assertEquals(EnumSet.of(Category.NET_CONNECT), parse("sandbox/net/connect:on").sandboxed());
        assertEquals(EnumSet.of(Category.NET_BIND, Category.NET_SENDFD),
                parse("sandbox/net:on\nsandbox/net/connect:off").sandboxed());
    }

    @Test
    void defaultsPerCategoryInSydsSpelling() throws PolicyException {
        Policy p = parse("default/read,stat:warn\ndefault/net:kill\ndefault/exec:filter\ndefault/exec:exit");
        assertEquals(Action.WARN, p.defaultAction(Category.READ));
        assertEquals(Action.WARN, p.defaultAction(Category.STAT));
        assertEquals(Action.EXIT, p.defaultAction(Category.EXEC));
        assertEquals(Action.DENY, p.defaultAction(Category.WRITE));
        assertEquals(Action.KILL, p.defaultAction(Category.NET_BIND));
        assertEquals(Action.KILL, p.defaultAction(Category.NET_SENDFD));
    }

    @Test
    void everyActionParses() throws PolicyException {
        for (Action a : Action.values()) {
            Policy p = parse(a.spelling() + "/read+/etc/passwd");
            Rule rule = p.rules(Category.READ).getFirst();
            assertEquals(a, rule.action());
            assertEquals(new PathGlob("/etc/passwd"), rule.pattern());
            assertEquals(new Origin("test.jsyd", 1), rule.origin());
        }
    }

    @Test
    void oneLineCanNameSeveralCategories() throws PolicyException {
        Policy p = parse("allow/read,stat,exec+/usr/***");
        for (Category c : List.of(Category.READ, Category.STAT, Category.EXEC)) {
            assertEquals(List.of("allow/" + c.spelling() + "+/usr/***"),
                    p.rules(c).stream().map(Rule::line).toList());
        }
        assertTrue(p.rules(Category.WRITE).isEmpty());
    }

    @Test
    void rulesKeepTheirOrderAndMinusRemovesTheLatestEqualRule() throws PolicyException {
        Policy p = parse("""
                allow/read+/a
                deny/read+/b
                allow/read+/a
                deny/read+/c
                allow/read-/a
                """);
        assertEquals(List.of("allow/read+/a", "deny/read+/b", "deny/read+/c"),
                p.rules(Category.READ).stream().map(Rule::line).toList());
        assertEquals(1, p.rules(Category.READ).getFirst().origin().line());
    }

    @Test
    void caretRemovesEveryEqualRuleAndOnlyEqualOnes() throws PolicyException {
        Policy p = parse("""
                allow/read+/a
                deny/read+/a
                allow/write+/a
                allow/read+/a
                allow/read^/a
                """);
        assertEquals(List.of("deny/read+/a"), p.rules(Category.READ).stream().map(Rule::line).toList());
        assertEquals(List.of("allow/write+/a"), p.rules(Category.WRITE).stream().map(Rule::line).toList());
    }

    @Test
    void removingWhatIsNotThereChangesNothing() throws PolicyException {
        assertEquals(parse("allow/read+/a"), parse("allow/read+/a\nallow/read-/b\ndeny/read-/a"));
    }

    @Test
    void netRulesTakeAddressesOrSockets() throws PolicyException {
        Policy p = parse("""
                deny/net/connect+0.0.0.0/0!22
                allow/net/bind+::1!8000-8080
                allow/net/connect+10.1.2.3/8!80,443,1000-2000
                allow/net/bind+/run/app.sock
                allow/net/sendfd+@dbus-*
                allow/net/connect+loopback!53
                """);
        assertEquals(List.of("deny/net/connect+0.0.0.0/0!22", "allow/net/connect+10.0.0.0/8!80,443,1000-2000",
                "allow/net/connect+127.0.0.0/8!53", "allow/net/connect+::1!53"),
                p.rules(Category.NET_CONNECT).stream().map(Rule::line).toList());
        assertEquals(List.of("allow/net/bind+::1!8000-8080", "allow/net/bind+/run/app.sock"),
                p.rules(Category.NET_BIND).stream().map(Rule::line).toList());
        assertEquals(List.of("allow/net/sendfd+@dbus-*"),
                p.rules(Category.NET_SENDFD).stream().map(Rule::line).toList());
    }

    @Test
    void netAddressesAreCanonicalSoRemovalFindsThem() throws PolicyException {
        Policy p = parse("""
                allow/net/connect+2001:DB8:0:0::1/64!443
                allow/net/connect+10.9.9.9/8!22
                allow/net/connect-2001:db8::/64!443
                allow/net/connect-10.0.0.0/8@22
                """);
        assertTrue(p.rules(Category.NET_CONNECT).isEmpty(), () -> p.render());
        assertEquals("allow/net/bind+2001:db8::/32!1",
                parse("allow/net/bind+2001:db8:ffff::/32!1").rules(Category.NET_BIND).getFirst().line());
        assertEquals("allow/net/bind+1:0:0:1::!1",
                parse("allow/net/bind+1:0:0:1:0:0:0:0!1").rules(Category.NET_BIND).getFirst().line());
    }

    @Test
    void timeoutAndLimits() throws PolicyException {
        Policy p = parse("timeout:1h30m\nmem/max:512M\nmem/vm_max:2GB\npid/max:128");
        assertEquals(Optional.of(Duration.ofMinutes(90)), p.timeout());
        assertEquals(new ResourceLimits(OptionalLong.of(512L << 20), OptionalLong.of(2_000_000_000L),
                OptionalInt.of(128)), p.limits());
        assertEquals(Optional.of(Duration.ofSeconds(30)), parse("timeout:30s").timeout());
        assertEquals(Optional.of(Duration.ofSeconds(45)), parse("timeout:45").timeout());
        assertEquals(Optional.of(Duration.ofMillis(1500)), parse("timeout:1s500ms").timeout());
        assertEquals(Optional.empty(), parse("timeout:30s\ntimeout:none").timeout());
        assertEquals(ResourceLimits.NONE, parse("mem/max:1G\nmem/max:0\npid/max:5\npid/max:0").limits());
        assertEquals(OptionalLong.of(3L << 30), parse("mem/max:3GiB").limits().memMax());
        assertEquals(OptionalLong.of(4096), parse("mem/max:4096").limits().memMax());
        assertFalse(parse("timeout:1s").isEmpty());
    }

    @Test
    void renderParsesBackToTheSamePolicy() throws PolicyException {
        String text = """
                sandbox/read,exec,net/connect:on
                default/read:warn
                default/net/connect:kill
                timeout:2m5s
                mem/max:1024
                pid/max:7
                allow/read+/usr/***
                deny/read+/usr/lib/secret[0-9]?
                filter/exec+/bin/\\*weird
                allow/net/connect+any!443
                allow/net/connect+@abstract
                lock:on
                """;
        Policy p = parse(text);
        String rendered = p.render();
        Policy again = parse(rendered);
        assertEquals(rendered, again.render());
        assertEquals(p.sandboxed(), again.sandboxed());
        assertEquals(p.defaults(), again.defaults());
        assertEquals(p.timeout(), again.timeout());
        assertEquals(p.limits(), again.limits());
        assertTrue(again.isLocked());
        for (Category c : Category.values()) {
            assertEquals(p.rules(c).stream().map(Rule::line).toList(),
                    again.rules(c).stream().map(Rule::line).toList());
        }
    }

    @Test
    void commentsBlankLinesAndCarriageReturnsAreIgnored() throws PolicyException {
        Policy p = parse("# profile\r\n\r\n  allow/read+/etc/hosts  \r\n\t# indented comment\n");
        assertEquals("allow/read+/etc/hosts", p.rules(Category.READ).getFirst().line());
        assertEquals(3, p.rules(Category.READ).getFirst().origin().line());
    }

    // ---- errors: source, line, and what was expected ----

    @Test
    void unknownCommandListsWhatIsExpected() {
        String m = problem("\n\nfrobnicate:on");
        assertTrue(m.startsWith("test.jsyd:3: unknown command 'frobnicate:on': expected sandbox/, default/,"), m);
        assertTrue(m.contains("allow, warn, filter, deny, stop, kill, exit"), m);
    }

    @Test
    void unknownActionIsAnUnknownCommand() {
        assertProblem("permit/read+/x", "unknown command 'permit/read+/x'");
    }

    @Test
    void unknownCategoryNamesTheKnownOnes() {
        String m = problem("allow/raed+/x");
        assertEquals("test.jsyd:1: unknown category 'raed': expected read, write, exec, stat, create, net/bind,"
                + " net/connect, net/sendfd", m);
        assertProblem("sandbox/reed:on", "unknown category 'reed'");
        assertProblem("default/:deny", "unknown category ''");
    }

    @Test
    void netAloneIsNotARuleCategory() {
        assertProblem("allow/net+1.2.3.4!80", "'net' names three categories");
    }

    @Test
    void missingOperatorOrPattern() {
        assertProblem("allow/read/usr", "expected '+' (add), '-' (remove) or '^' (remove all)");
        assertProblem("allow/read", "expected '+'");
        assertProblem("allow/read+", "expected a pattern after '+'");
    }

    @Test
    void badValuesSayWhatWasExpected() {
        assertProblem("sandbox/read:yes", "expected on or off after sandbox/read:, got 'yes'");
        assertProblem("sandbox/read", "expected sandbox/CATEGORY[,CATEGORY...]:on or :off");
        assertTrue(problem("default/read:refuse").contains("expected an action (allow, warn, filter, deny, stop,"
                + " kill, exit) after default/read:, got 'refuse'"));
        assertProblem("timeout:soon", "expected a duration such as 30s");
        assertProblem("timeout:0s", "expected a positive duration");
        assertProblem("timeout:5x", "expected a duration");
        assertProblem("mem/max:lots", "expected a size such as 512M");
        assertProblem("mem/max:99999999999T", "does not fit in 64 bits");
        assertProblem("pid/max:-1", "expected a number of processes");
        assertProblem("lock:exec", "expected lock:on or lock:off");
        assertProblem("include", "expected a file name after include");
    }

    @Test
    void badPathGlobs() {
        assertProblem("allow/read+usr/lib", "expected an absolute path glob (starting with '/')");
        assertProblem("allow/read+/usr/", "a trailing '/' never matches");
        assertProblem("allow/read+/usr/", "write /usr for the directory, or /usr/*** for it");
        assertProblem("allow/read+/usr//lib", "empty component");
        assertProblem("allow/read+/usr/../etc", "'..' component never matches");
        assertProblem("allow/read+/usr/./lib", "'.' component never matches");
        assertProblem("allow/read+/usr/***/lib", "'***' stands only as the whole last component");
        assertProblem("allow/read+/usr***", "'***' stands only as the whole last component");
        assertProblem("allow/read+/usr/****", "at most three '*'");
        assertProblem("allow/read+/usr/[abc", "is not closed by ']'");
        assertProblem("allow/read+/usr/[z-a]", "runs backwards");
        assertProblem("allow/read+/usr/[é]", "ASCII characters only");
        assertProblem("allow/read+/usr/x\\", "a trailing '\\' escapes nothing");
        assertProblem("allow/read+@abstract", "expected an absolute path glob");
    }

    @Test
    void badNetPatterns() {
        assertProblem("deny/net/connect+1.2.3.4", "no '!' before the port");
        assertProblem("deny/net/connect+1.2.3.4!", "expected a port or range after '!'");
        assertProblem("deny/net/connect+1.2.3.4!70000", "expected a port (0-65535), got 70000");
        assertProblem("deny/net/connect+1.2.3.4!90-80", "runs backwards");
        assertProblem("deny/net/connect+1.2.3.4/33!80", "expected a prefix length (0-32), got 33");
        assertProblem("deny/net/connect+::/129!80", "expected a prefix length (0-128), got 129");
        assertProblem("deny/net/connect+1.2.3!80", "expected an IPv4 address (a.b.c.d)");
        assertProblem("deny/net/connect+01.2.3.4!80", "expected an IPv4 address");
        assertProblem("deny/net/connect+1.2.3.256!80", "expected an IPv4 address");
        assertProblem("deny/net/connect+example.com!80", "expected an IPv4 address");
        assertProblem("deny/net/connect+fe80::1%eth0!80", "without a scope");
        assertProblem("deny/net/connect+any/8!80", "takes no prefix length");
        assertProblem("deny/net/sendfd+1.2.3.4!80", "net/sendfd takes a UNIX socket path");
        assertProblem("deny/net/connect+::ffff:10.0.0.0/64!80", "96 or more");
    }

    @Test
    void everyProblemIsReportedWithItsLine() {
        List<String> lines = problems("""
                sandbox/read:on
                allow/read+relative
                allow/read+/ok
                bogus
                timeout:never
                """);
        assertEquals(3, lines.size(), lines::toString);
        assertTrue(lines.get(0).startsWith("test.jsyd:2: "), lines::toString);
        assertTrue(lines.get(1).startsWith("test.jsyd:4: "), lines::toString);
        assertTrue(lines.get(2).startsWith("test.jsyd:5: "), lines::toString);
        PolicyException e = assertThrows(PolicyException.class, () -> parse("bogus\nbogus"));
        assertTrue(e.getMessage().endsWith("(and 1 more)"), e.getMessage());
        assertEquals(2, e.problems().size());
    }

    @Test
    void longUserTextIsShortenedInMessages() {
        String m = problem("x".repeat(500));
        assertTrue(m.length() < 400, m);
    }

    @Test
    void severalTextsBuildOnePolicyAndNameTheirOwnSource() throws PolicyException {
        Policy p = new PolicyParser()
                .add(new PolicyText("profile", "sandbox/read:on\nallow/read+/a", IncludeScope.forbidden()))
                .add(new PolicyText("annotation", "allow/read-/a\ndeny/read+/b", IncludeScope.forbidden()))
                .build();
        assertEquals(List.of(new Origin("annotation", 2)),
                p.rules(Category.READ).stream().map(Rule::origin).toList());
        PolicyException e = assertThrows(PolicyException.class, () -> new PolicyParser()
                .add(new PolicyText("one", "ok/", IncludeScope.forbidden()))
                .add(new PolicyText("two", "\nalso bad", IncludeScope.forbidden())).build());
        assertEquals(List.of("one:1", "two:2"), e.problems().stream().map(pp -> pp.origin().format()).toList());
    }

    @Test
    void lockForbidsEveryLaterChange() {
        List<String> lines = problems("""
                sandbox/read:on
                lock:on
                # comments are fine
                allow/read+/etc/***

                lock:off
                """);
        assertEquals(List.of(
                "test.jsyd:4: the policy was locked (lock:on at test.jsyd:2): nothing after it may change the policy",
                "test.jsyd:6: the policy was locked (lock:on at test.jsyd:2): nothing after it may change the policy"),
                lines);
    }

    @Test
    void lockHoldsAcrossTexts() throws PolicyException {
        PolicyParser parser = new PolicyParser()
                .add(new PolicyText("admin", "sandbox/exec:on\nlock:on", IncludeScope.forbidden()))
                .add(new PolicyText("container", "sandbox/exec:off", IncludeScope.forbidden()));
        PolicyException e = assertThrows(PolicyException.class, parser::build);
        assertEquals("container:1: the policy was locked (lock:on at admin:2): nothing after it may change the policy",
                e.lines().getFirst());
        Policy locked = PolicyParser.parse("x", "sandbox/exec:on\nlock:off\nlock:on\n\n# end");
        assertEquals(Optional.of(new Origin("x", 3)), locked.lockedAt());
    }

    @Test
    void actionsMeanWhatSydMeans() {
        assertEquals(List.of(Action.ALLOW, Action.WARN),
                java.util.Arrays.stream(Action.values()).filter(Action::permits).toList());
        assertEquals(List.of(Action.WARN, Action.DENY, Action.STOP, Action.KILL, Action.EXIT),
                java.util.Arrays.stream(Action.values()).filter(Action::logged).toList());
        assertEquals(Optional.of(Action.FILTER), Action.ofSpelling("filter"));
        assertEquals(Optional.empty(), Action.ofSpelling("FILTER"));
    }

    @Test
    void globsAreAbsoluteOrAbstractEvenWhenBuiltDirectly() {
        assertThrows(IllegalArgumentException.class, () -> new PathGlob("relative/*"));
        assertThrows(IllegalArgumentException.class, () -> PathGlob.ofPath("@abstract"));
        assertTrue(PathGlob.ofSocket("@abstract").isAbstract());
        assertThrows(IllegalArgumentException.class,
                () -> new Rule(Action.ALLOW, Category.READ, PathGlob.ofSocket("@x"), new Origin("t", 1)));
        assertThrows(IllegalArgumentException.class, () -> new Rule(Action.ALLOW, Category.NET_SENDFD,
                NetAddress.parse("1.2.3.4!1").getFirst(), new Origin("t", 1)));
    }

    @Test
    void includeWithoutADirectoryIsRefused() {
        assertProblem("include base.jsyd", "include is not available here");
    }

    @Test
    void policyRecordIsImmutable() throws PolicyException {
        Policy p = parse("sandbox/read:on\nallow/read+/a");
        assertThrows(UnsupportedOperationException.class, () -> p.sandboxed().add(Category.EXEC));
        assertThrows(UnsupportedOperationException.class, () -> p.rules(Category.READ).clear());
        assertThrows(UnsupportedOperationException.class, () -> p.defaults().put(Category.READ, Action.ALLOW));
    }
}
