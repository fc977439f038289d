package io.jsyd.oci.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.oci.InvalidPolicyException;
import io.jsyd.oci.cli.ExitCodes;
import io.jsyd.oci.spec.model.Spec;
import io.jsyd.runtime.policy.Action;
import io.jsyd.runtime.policy.Category;
import io.jsyd.runtime.policy.Origin;
import io.jsyd.runtime.policy.Policy;
import io.jsyd.runtime.policy.Rule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicySourceTest {
    @TempDir
    Path dir;

    Path profiles() throws IOException {
        return Files.createDirectories(dir.resolve("profiles"));
    }

    Path profile(String name, String text) throws IOException {
        return Files.writeString(profiles().resolve(name + ".jsyd"), text);
    }

    PolicySource.Inputs inputs(Map<String, String> annotations, String hostname, String domainname,
            Path policyFile) throws IOException {
        return new PolicySource.Inputs(dir.resolve("bundle/config.json"), annotations,
                Optional.ofNullable(hostname), Optional.ofNullable(domainname), Optional.ofNullable(policyFile),
                profiles());
    }

    static List<String> rules(Policy p, Category c) {
        return p.rules(c).stream().map(Rule::line).toList();
    }

    @Test
    void nothingAskedForMeansNoPolicy() throws Exception {
        profile("other", "sandbox/read:on\n");
        assertEquals(Optional.empty(), PolicySource.load(inputs(Map.of("unrelated", "x"), "web", null, null)));
    }

    @Test
    void inlineAnnotationIsPolicyText() throws Exception {
        Policy p = PolicySource.load(inputs(Map.of(PolicySource.POLICY_ANNOTATION,
                "sandbox/exec:on\nallow/exec+/usr/bin/***\n"), null, null, null)).orElseThrow();
        assertEquals(List.of("allow/exec+/usr/bin/***"), rules(p, Category.EXEC));
        assertEquals(new Origin("annotation org.jsyd.policy in " + dir.resolve("bundle/config.json"), 2),
                p.rules(Category.EXEC).getFirst().origin());
    }

    @Test
    void hostProfileByHostnameThenDomainname() throws Exception {
        profile("web", "sandbox/read:on\nallow/read+/srv/***\n");
        profile("example.org", "sandbox/write:on\n");
        Policy byHost = PolicySource.load(inputs(Map.of(), "web", "example.org", null)).orElseThrow();
        assertTrue(byHost.isSandboxed(Category.READ));
        assertTrue(!byHost.isSandboxed(Category.WRITE), "only the first profile found applies");
        Policy byDomain = PolicySource.load(inputs(Map.of(), "db", "example.org", null)).orElseThrow();
        assertTrue(byDomain.isSandboxed(Category.WRITE));
        // A hostname that could walk out of the directory is not looked up at all.
        Files.writeString(dir.resolve("escape.jsyd"), "sandbox/exec:on\n");
        assertEquals(Optional.empty(), PolicySource.load(inputs(Map.of(), "../escape", null, null)));
        assertEquals(Optional.empty(), PolicySource.load(inputs(Map.of(), ".hidden", null, null)));
    }

    @Test
    void everySourceInOrderLaterOnesOnTop() throws Exception {
        profile("web", "sandbox/read:on\nallow/read+/host\n");
        profile("base", "allow/read+/base\n");
        profile("extra", "allow/read+/extra\ndefault/read:warn\n");
        Path cli = Files.writeString(dir.resolve("cli.jsyd"), "allow/read+/cli\nallow/read-/base\n");
        Map<String, String> annotations = Map.of(
                PolicySource.PROFILE_ANNOTATION, " base , extra",
                PolicySource.POLICY_ANNOTATION, "allow/read+/inline\ndefault/read:kill",
                PolicySource.TIMEOUT_ANNOTATION, " 90s ");
        PolicySource.Inputs in = inputs(annotations, "web", null, cli);
        List<PolicySource.Piece> pieces = PolicySource.pieces(in);
        assertEquals(List.of(
                new PolicySource.Piece.HostProfile(profiles().resolve("web.jsyd")),
                new PolicySource.Piece.NamedProfile("base", profiles().resolve("base.jsyd")),
                new PolicySource.Piece.NamedProfile("extra", profiles().resolve("extra.jsyd")),
                new PolicySource.Piece.PolicyFile(cli),
                new PolicySource.Piece.Annotation(PolicySource.POLICY_ANNOTATION,
                        "allow/read+/inline\ndefault/read:kill"),
                new PolicySource.Piece.Annotation(PolicySource.TIMEOUT_ANNOTATION, "timeout:90s")), pieces);
        Policy p = PolicySource.load(in).orElseThrow();
        assertEquals(List.of("allow/read+/host", "allow/read+/extra", "allow/read+/cli", "allow/read+/inline"),
                rules(p, Category.READ));
        assertEquals(Action.KILL, p.defaultAction(Category.READ));
        assertEquals(Optional.of(Duration.ofSeconds(90)), p.timeout());
    }

    @Test
    void aLockedHostProfileCannotBeLoosenedByAnnotations() throws Exception {
        Path web = profile("web", "sandbox/exec:on\nallow/exec+/usr/bin/***\nlock:on\n");
        InvalidPolicyException e = assertThrows(InvalidPolicyException.class, () -> PolicySource.load(inputs(
                Map.of(PolicySource.POLICY_ANNOTATION, "sandbox/exec:off"), "web", null, null)));
        assertEquals(List.of("annotation org.jsyd.policy in " + dir.resolve("bundle/config.json")
                + ":1: the policy was locked (lock:on at " + web + ":3): nothing after it may change the policy"),
                e.lines());
        assertEquals(ExitCodes.FAILURE, ExitCodes.of(e));
        // The timeout annotation is a change too.
        assertThrows(InvalidPolicyException.class, () -> PolicySource.load(inputs(
                Map.of(PolicySource.TIMEOUT_ANNOTATION, "1h"), "web", null, null)));
    }

    @Test
    void badProfileNamesAndMissingProfiles() throws Exception {
        profile("ok", "sandbox/read:on\n");
        InvalidPolicyException e = assertThrows(InvalidPolicyException.class, () -> PolicySource.pieces(inputs(
                Map.of(PolicySource.PROFILE_ANNOTATION, "ok,../../etc/passwd,,missing"), null, null, null)));
        String source = "annotation org.jsyd.profile in " + dir.resolve("bundle/config.json") + ":1: ";
        assertEquals(List.of(
                source + "expected profile names (letters, digits, '.', '_', '-'; not starting with '.'),"
                        + " separated by commas, got '../../etc/passwd'",
                source + "expected profile names (letters, digits, '.', '_', '-'; not starting with '.'),"
                        + " separated by commas, got ''",
                source + "no profile 'missing': " + profiles().resolve("missing.jsyd") + " does not exist"),
                e.lines());
    }

    @Test
    void timeoutAnnotationIsOneValue() throws Exception {
        InvalidPolicyException e = assertThrows(InvalidPolicyException.class, () -> PolicySource.load(inputs(
                Map.of(PolicySource.TIMEOUT_ANNOTATION, "30s\nsandbox/read:off"), null, null, null)));
        assertTrue(e.lines().getFirst().endsWith("expected one duration such as 30s or 1h30m, got several lines"),
                e.lines()::toString);
        InvalidPolicyException bad = assertThrows(InvalidPolicyException.class, () -> PolicySource.load(inputs(
                Map.of(PolicySource.TIMEOUT_ANNOTATION, "soon"), null, null, null)));
        assertTrue(bad.lines().getFirst().startsWith("annotation org.jsyd.timeout in "),
                bad.lines()::toString);
        assertTrue(bad.lines().getFirst().contains("expected a duration"), bad.lines()::toString);
    }

    @Test
    void inlineIncludesStayInTheProfileDirectory() throws Exception {
        profile("common", "sandbox/net/connect:on\nallow/net/connect+any!443\n");
        Files.writeString(dir.resolve("host-secret"), "root:x:0:0\n");
        Policy p = PolicySource.load(inputs(Map.of(PolicySource.POLICY_ANNOTATION, "include common.jsyd"),
                null, null, null)).orElseThrow();
        assertEquals(2, p.rules(Category.NET_CONNECT).size());
        InvalidPolicyException e = assertThrows(InvalidPolicyException.class, () -> PolicySource.load(inputs(
                Map.of(PolicySource.POLICY_ANNOTATION, "include ../host-secret"), null, null, null)));
        assertTrue(e.lines().getFirst().contains("only files under"), e.lines()::toString);
        assertTrue(e.lines().stream().noneMatch(l -> l.contains("root:x")), e.lines()::toString);
    }

    @Test
    void policyFileErrorsNameTheFileAndLine() throws Exception {
        Path cli = Files.writeString(dir.resolve("cli.jsyd"), "sandbox/read:on\nallow/read+etc\n");
        InvalidPolicyException e = assertThrows(InvalidPolicyException.class,
                () -> PolicySource.load(inputs(Map.of(), null, null, cli)));
        assertTrue(e.lines().getFirst().startsWith(cli + ":2: expected an absolute path glob"), e.lines()::toString);
    }

    @Test
    void inputsFromASpec() throws Exception {
        Spec spec = new Spec();
        spec.setHostname("web");
        Map<String, String> annotations = new HashMap<>();
        annotations.put(PolicySource.POLICY_ANNOTATION, "sandbox/stat:on");
        spec.setAnnotations(annotations);
        PolicySource.Inputs in = PolicySource.Inputs.of(spec, dir.resolve("config.json"), Optional.empty(),
                profiles());
        assertEquals(Optional.of("web"), in.hostname());
        assertEquals(Optional.empty(), in.domainname());
        assertTrue(PolicySource.load(in).orElseThrow().isSandboxed(Category.STAT));
        assertEquals(Map.of(), PolicySource.Inputs.of(new Spec(), dir, Optional.empty(), dir).annotations());
    }
}
