package io.jsyd.oci.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.oci.InvalidSpecException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/**
 * Stage 1: one case per kind of problem, each asserting the exact path and message
 * a user reads. Every document is runc's default config with one thing changed.
 */
class SpecReaderProblemsTest {
    @TempDir
    Path dir;

    private final SpecReader reader = new SpecReader();

    private List<SpecProblem> problemsAfter(Consumer<ObjectNode> change) {
        ObjectNode config = SpecFixtures.runcSpec();
        change.accept(config);
        Path file = SpecFixtures.write(dir, "config.json", config);
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> reader.read(file));
        assertEquals(e.problems(), reader.schemaProblems(file, config), "read() reports what schemaProblems() finds");
        return e.problems();
    }

    private void assertOneProblem(String path, String message, Consumer<ObjectNode> change) {
        List<SpecProblem> problems = problemsAfter(change);
        assertEquals(List.of(new SpecProblem(dir.resolve("config.json"), path, message)), problems);
    }

    private static ObjectNode obj(ObjectNode node, String... path) {
        ObjectNode n = node;
        for (String p : path) {
            n = (ObjectNode) n.get(p);
        }
        return n;
    }

    @Test
    void stringWhereAnArrayOfStringsIsExpected() {
        assertOneProblem("$.process.args", "expected an array of strings, found a string",
                c -> obj(c, "process").put("args", "sh"));
    }

    @Test
    void wrongItemTypeInAnArray() {
        assertOneProblem("$.process.args[2]", "expected a string, found an integer",
                c -> obj(c, "process").putArray("args").add("sh").add("-c").add(5));
    }

    @Test
    void missingRequiredProperty() {
        assertOneProblem("$.root", "required property \"path\" is missing",
                c -> obj(c, "root").remove("path"));
    }

    @Test
    void missingRequiredPropertyAtTheTop() {
        assertOneProblem("$", "required property \"ociVersion\" is missing", c -> c.remove("ociVersion"));
    }

    @Test
    void valueNotInTheEnum() {
        assertOneProblem("$.linux.namespaces[1].type",
                "\"foo\" is not one of mount, pid, network, uts, ipc, user, cgroup, time",
                c -> ((ObjectNode) obj(c, "linux").get("namespaces").get(1)).put("type", "foo"));
    }

    @Test
    void patternMismatch() {
        assertOneProblem("$.process.rlimits[0].type", "\"nofile\" does not match the pattern ^RLIMIT_[A-Z]+$",
                c -> ((ObjectNode) obj(c, "process").get("rlimits").get(0)).put("type", "nofile"));
    }

    @Test
    void numberBelowTheRange() {
        assertOneProblem("$.process.user.uid", "-1 is out of range: expected an integer from 0 to 4294967295",
                c -> obj(c, "process", "user").put("uid", -1));
    }

    @Test
    void numberAboveUint64() {
        assertOneProblem("$.process.rlimits[0].hard",
                "18446744073709551616 is out of range: expected an integer from 0 to 18446744073709551615",
                c -> ((ObjectNode) obj(c, "process").get("rlimits").get(0))
                        .put("hard", new java.math.BigInteger("18446744073709551616")));
    }

    @Test
    void fractionWhereAnIntegerIsExpected() {
        assertOneProblem("$.process.user.gid", "expected an integer from 0 to 4294967295, found a number with a fraction",
                c -> obj(c, "process", "user").put("gid", 1.5));
    }

    @Test
    void lowerBoundOnly() {
        assertOneProblem("$.hooks.prestart[0].timeout", "0 is out of range: expected an integer of at least 1",
                c -> c.putObject("hooks").putArray("prestart").addObject().put("path", "/bin/true").put("timeout", 0));
    }

    @Test
    void propertyNamesThatAreNotIdentifiersAreBracketed() {
        assertOneProblem("$.annotations[\"io.example/count\"]", "expected a string, found an integer",
                c -> c.putObject("annotations").put("io.example/count", 3));
    }

    @Test
    void aPropertyCheckedByBothAnAllOfAndItsSiblingIsReportedOnce() {
        // blockIODeviceWeight declares major both in allOf's blockIODevice and beside it.
        assertOneProblem("$.linux.resources.blockIO.weightDevice[0].major",
                "expected an integer from -9223372036854775808 to 9223372036854775807, found a string",
                c -> obj(c, "linux").putObject("resources").putObject("blockIO").putArray("weightDevice")
                        .addObject().put("major", "8").put("minor", 0).put("weight", 10));
    }

    @Test
    void oneReaderServesConcurrentFirstCalls() throws Exception {
        ObjectNode config = SpecFixtures.runcSpec();
        obj(config, "process").put("args", "sh");
        Path file = SpecFixtures.write(dir, "config.json", config);
        SpecReader shared = new SpecReader();
        List<SpecProblem> expected = List.of(
                new SpecProblem(file, "$.process.args", "expected an array of strings, found a string"));

        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            var start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<List<SpecProblem>>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return shared.schemaProblems(file, config);
                }));
            }
            start.countDown();
            for (var r : results) {
                assertEquals(expected, r.get());
            }
        }
    }

    @Test
    void topLevelOfTheWrongType() {
        Path file = SpecFixtures.write(dir, "config.json", "[]");
        assertEquals(List.of(new SpecProblem(file, "$", "expected an object, found an array")),
                reader.schemaProblems(file, SpecJson.mapper().readTree("[]")));
    }

    @Test
    void everyProblemIsReportedInDocumentOrderWithoutDuplicates() {
        List<SpecProblem> problems = problemsAfter(c -> {
            c.put("hostname", 7);
            obj(c, "linux").putArray("namespaces").addObject().put("type", "bogus");
            obj(c, "process").put("terminal", "yes");
            obj(c, "root").remove("path");
        });
        // runc writes process, root, hostname, ..., linux in that order.
        assertEquals(List.of(
                "$.process.terminal: expected a boolean, found a string",
                "$.root: required property \"path\" is missing",
                "$.hostname: expected a string, found an integer",
                "$.linux.namespaces[0].type: \"bogus\" is not one of mount, pid, network, uts, ipc, user, cgroup, time"),
                problems.stream().map(p -> p.jsonPath() + ": " + p.message()).toList());
    }

    @Test
    void unknownFieldsAreKeptWithoutAnyProblem() throws Exception {
        ObjectNode config = SpecFixtures.runcSpec();
        config.putObject("org.example.top").put("answer", 42);
        obj(config, "process").putArray("org.example.list").add(1).add("two");
        ((ObjectNode) obj(config, "linux").get("namespaces").get(0)).put("org.example.flag", true);
        Path file = SpecFixtures.write(dir, "config.json", config);

        LoadedSpec loaded = reader.read(file);

        assertTrue(reader.schemaProblems(file, config).isEmpty());
        assertEquals(42, ((java.util.Map<?, ?>) loaded.spec().getAdditionalProperties().get("org.example.top"))
                .get("answer"));
        assertEquals(List.of(1, "two"), loaded.spec().getProcess().getAdditionalProperties().get("org.example.list"));
        assertEquals(true,
                loaded.spec().getLinux().getNamespaces().getFirst().getAdditionalProperties().get("org.example.flag"));
        assertTrue(SpecFixtures.sameJson(config, SpecJson.tree(loaded.spec())));
    }

    @Test
    void aUint64TheModelKeepsAsLongCannotExceedItsRange() {
        ObjectNode config = SpecFixtures.runcSpec();
        obj(config, "linux").putObject("resources").putObject("cpu")
                .put("shares", new java.math.BigInteger("18446744073709551615"));
        Path file = SpecFixtures.write(dir, "config.json", config);

        assertTrue(reader.schemaProblems(file, config).isEmpty(), "the schema allows any uint64");
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> reader.read(file));
        assertEquals(List.of(new SpecProblem(file, "$.linux.resources.cpu.shares",
                "18446744073709551615 is out of range: this runtime supports at most 9223372036854775807 here")),
                e.problems());
    }

    @Test
    void fullRangeUint64FieldsBindAsBigInteger() throws Exception {
        ObjectNode config = SpecFixtures.runcSpec();
        var max = new java.math.BigInteger("18446744073709551615");
        ObjectNode rlimit = (ObjectNode) obj(config, "process").get("rlimits").get(0);
        rlimit.put("hard", max).put("soft", max);
        ObjectNode syscall = obj(config, "linux").putObject("seccomp").put("defaultAction", "SCMP_ACT_ALLOW")
                .putArray("syscalls").addObject().put("action", "SCMP_ACT_ERRNO");
        syscall.putArray("names").add("ioctl");
        syscall.putArray("args").addObject().put("index", 1).put("value", max).put("valueTwo", max).put("op", "SCMP_CMP_MASKED_EQ");
        Path file = SpecFixtures.write(dir, "config.json", config);

        LoadedSpec loaded = reader.read(file);

        assertEquals(max, loaded.spec().getProcess().getRlimits().getFirst().getHard());
        var arg = loaded.spec().getLinux().getSeccomp().getSyscalls().getFirst().getArgs().getFirst();
        assertEquals(max, arg.getValue());
        assertEquals(-1L, arg.getValueTwo().longValue(), "the kernel's view of the same 64 bits");
        assertTrue(SpecFixtures.sameJson(config, SpecJson.tree(loaded.spec())));
    }

    @Test
    void noMessageLeaksImplementationDetails() {
        List<SpecProblem> problems = problemsAfter(c -> {
            c.put("ociVersion", 1);
            obj(c, "process").put("args", "sh").put("cwd", false);
            obj(c, "linux").put("maskedPaths", "x");
        });
        assertEquals(4, problems.size());
        for (SpecProblem p : problems) {
            String line = p.format();
            assertFalse(line.matches("(?s).*(jackson|networknt|Exception|\\bat [a-z]+\\.|classpath:).*"), line);
        }
    }
}
