package io.jsyd.oci.convert;

import io.jsyd.oci.spec.SpecJson;
import io.jsyd.oci.spec.model.LinuxSeccomp;
import io.jsyd.oci.spec.model.Spec;
import io.jsyd.runtime.seccomp.ArgCondition;
import io.jsyd.runtime.seccomp.SeccompCompiler;
import io.jsyd.runtime.seccomp.SeccompFilter;
import io.jsyd.runtime.seccomp.SeccompProgram;
import io.jsyd.runtime.seccomp.SyscallRule;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * How long the JNA compiler takes for podman's default profile, next to the same
 * work in C against the same libseccomp (src/test/c/seccomp-compile-bench.c).
 * Not a test; run it from oci/ with the test classpath:
 * <pre>java --enable-native-access=ALL-UNNAMED -cp CP io.jsyd.oci.convert.SeccompCompileBenchmark</pre>
 * It runs JMH, then builds and runs the C program, and prints both and the ratio.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SeccompCompileBenchmark {
    private SeccompProgram program;
    private SeccompCompiler compiler;

    static SeccompProgram podmanProgram() throws Exception {
        try (InputStream in = SeccompCompileBenchmark.class.getResourceAsStream("/spec/generated/podman-create.json")) {
            LinuxSeccomp profile = SpecJson.mapper().readValue(in, Spec.class).getLinux().getSeccomp();
            return SeccompConverter.program(profile, Path.of("podman-create.json"));
        }
    }

    @Setup
    public void setUp() throws Exception {
        program = podmanProgram();
        compiler = SeccompCompiler.system();
    }

    @Benchmark
    public SeccompFilter compilePodmanProfile() {
        return compiler.compile(program).filter();
    }

    /** The program in the C partner's text form. */
    static String asText(SeccompProgram p) {
        StringBuilder s = new StringBuilder("default ").append(Long.toUnsignedString(p.defaultAction().libseccompValue()))
                .append('\n');
        p.architectures().forEach(a -> s.append("arch ").append(a).append('\n'));
        for (SyscallRule r : p.rules()) {
            s.append("rule ").append(r.action().libseccompValue()).append(' ').append(r.syscall()).append(' ')
                    .append(r.conditions().size());
            for (ArgCondition c : r.conditions()) {
                s.append(' ').append(c.index()).append(' ').append(c.operator().libseccompValue()).append(' ')
                        .append(Long.toUnsignedString(c.value())).append(' ').append(Long.toUnsignedString(c.valueTwo()));
            }
            s.append('\n');
        }
        return s.toString();
    }

    public static void main(String[] args) throws Exception {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(SeccompCompileBenchmark.class.getSimpleName()).build()).run();
        double javaMicros = results.iterator().next().getPrimaryResult().getScore();

        Path dir = Files.createTempDirectory("seccomp-bench");
        Path rules = Files.writeString(dir.resolve("podman.rules"), asText(podmanProgram()));
        Path source = Path.of("src/test/c/seccomp-compile-bench.c").toAbsolutePath();
        Path binary = dir.resolve("seccomp-compile-bench");
        Process gcc = new ProcessBuilder("gcc", "-std=gnu11", "-O2", "-Wall", "-o", binary.toString(), source.toString(),
                "-l:libseccomp.so.2").inheritIO().start();
        if (gcc.waitFor() != 0) {
            throw new IllegalStateException("the C partner did not build");
        }
        Process c = new ProcessBuilder(binary.toString(), rules.toString(), "2000").redirectErrorStream(true).start();
        String out = new String(c.getInputStream().readAllBytes()).strip();
        if (c.waitFor() != 0) {
            throw new IllegalStateException("the C partner failed: " + out);
        }
        double cMicros = Double.parseDouble(out.split(" ")[0]) / 1000;
        System.out.printf("podman profile (%d rules): Java/JNA %.1f us/op, C %.1f us/op, ratio %.2f%n",
                podmanProgram().rules().size(), javaMicros, cMicros, javaMicros / cMicros);
    }
}
