package io.jsyd.runtime.policy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Path decisions per second against a 100-rule policy, on one thread. The rules
 * look like a real container profile (system trees, per-user globs, extensions,
 * {@code /**}/ patterns, denials carved out of allowed trees); the paths are a mix
 * of hits at different depths and misses, cycled so no single path stays hot.
 *
 * <p>Run: {@code mvn -o -Pjmh -pl runtime test-compile exec:exec@jmh}
 * (JMH options in {@code -Djmh.args=...}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class PolicyMatchBenchmark {
    static String policyText() {
        StringBuilder p = new StringBuilder("sandbox/read,write,exec,stat,create:on\n");
        String[] trees = {"/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc/ssl", "/opt/app", "/srv/www",
            "/var/lib/app", "/usr/share/zoneinfo"};
        for (String t : trees) {
            p.append("allow/read+").append(t).append("/***\n");
        }
        for (int i = 0; i < 20; i++) {
            p.append("allow/read+/etc/conf").append(i).append(".d/*.conf\n");
        }
        for (int i = 0; i < 20; i++) {
            p.append("deny/read+/home/*/.config/app").append(i).append("/**\n");
        }
        for (int i = 0; i < 10; i++) {
            p.append("warn/read+/var/log/svc").append(i).append("/*.log\n");
        }
        for (int i = 0; i < 10; i++) {
            p.append("filter/read+/proc/**/").append(new String[] {"environ", "maps", "mem", "cmdline", "status",
                "stat", "fd", "auxv", "smaps", "pagemap"}[i]).append('\n');
        }
        for (int i = 0; i < 10; i++) {
            p.append("allow/read+/data/tenant").append(i).append("/[a-z]*/???.bin\n");
        }
        for (int i = 0; i < 10; i++) {
            p.append("deny/read+/usr/lib/secret").append(i).append("/***\n");
        }
        p.append("deny/read+/etc/shadow\ndeny/read+/etc/gshadow\n");
        p.append("allow/read+/etc/passwd\nallow/read+/etc/group\nallow/read+/etc/hosts\n");
        p.append("allow/read+/etc/resolv.conf\nallow/read+/etc/nsswitch.conf\n");
        p.append("allow/read+/tmp/***\nkill/read+/root/***\nallow/read+/dev/null\n");
        return p.toString();
    }

    static final String[] PATHS = {
        "/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/bin/env", "/etc/passwd", "/etc/shadow",
        "/etc/conf7.d/main.conf", "/etc/conf7.d/main.conf.bak", "/home/alice/.config/app3/settings.json",
        "/home/bob/.config/other/x", "/var/log/svc4/today.log", "/var/log/svc4/sub/today.log",
        "/proc/1234/task/1234/environ", "/proc/self/status", "/data/tenant3/abc/xyz.bin",
        "/data/tenant3/abc/wxyz.bin", "/usr/lib/secret5/key.pem", "/usr/share/zoneinfo/Europe/Berlin",
        "/tmp/build-1234/obj/a.o", "/root/.bash_history", "/dev/null", "/nonexistent/deeper/still/file",
        "/srv/www/static/img/logo.png", "/opt/app/lib/app.jar", "/etc/ssl/certs/ca-certificates.crt",
        "/lib64/ld-linux-x86-64.so.2", "/etc/hosts", "/etc/hostname", "/var/lib/app/db/data.sqlite",
        "/sbin/init", "/bin/sh", "/home/alice/notes.txt", "/usr/lib/python3/dist-packages/foo/__init__.py",
        "/x",
    };

    PolicyMatcher matcher;
    byte[][] paths;
    String[] strings;
    int next;

    @Setup(Level.Trial)
    public void setUp() throws PolicyException {
        Policy policy = PolicyParser.parse("benchmark", policyText());
        int rules = policy.rules(Category.READ).size();
        if (rules != 100) {
            throw new IllegalStateException("the benchmark policy should have 100 rules, has " + rules);
        }
        matcher = policy.compile();
        List<byte[]> bytes = new ArrayList<>();
        for (String p : PATHS) {
            bytes.add(p.getBytes(StandardCharsets.UTF_8));
        }
        paths = bytes.toArray(byte[][]::new);
        strings = PATHS.clone();
    }

    /** The supervisor's case: the path arrives as bytes read from the process's memory. */
    @Benchmark
    public Decision decideBytes() {
        int i = next++ & 31;
        return matcher.decidePath(Category.READ, paths[i]);
    }

    /** Including the UTF-8 encoding of a Java String. */
    @Benchmark
    public Decision decideString() {
        int i = next++ & 31;
        return matcher.decidePath(Category.READ, strings[i]);
    }

    /** How long building the automaton for the 100 rules takes (once per container). */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public PolicyMatcher compile() throws PolicyException {
        return PolicyParser.parse("benchmark", policyText()).compile();
    }
}
