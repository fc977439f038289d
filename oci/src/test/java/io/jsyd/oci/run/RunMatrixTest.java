package io.jsyd.oci.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

/**
 * The run matrix: one bundle per config section, run for real by jsyd-oci and by
 * runc, each checked from inside the container (the script prints what the kernel
 * says: /proc/self/status, mountinfo, ns links, limits, device nodes). The expected
 * text is runc's; where runc 1.1.5 (the machine's) differs, the case says why and
 * what runc gives, so the difference is checked too, not skipped.
 */
@Tag("root")
class RunMatrixTest {
    @BeforeAll
    static void rootAndBusybox() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for namespaces");
        assumeTrue(RunBundle.busyboxAvailable(), "needs busybox-static at /bin/busybox");
    }

    /** Prints the mountinfo lines of these mount points as "POINT OPTIONS PROPAGATION FSTYPE". */
    static String mountsOf(String... points) {
        return "awk '{ for (i = 7; $i != \"-\"; i++) opt = opt \" \" $i;"
                + " if (" + String.join(" || ", Stream.of(points).map(p -> "$5 == \"" + p + "\"").toList()) + ")"
                + " print $5, $6, (opt == \"\" ? \"private\" : substr(opt, 2)), $(i + 1); opt = \"\" }' /proc/self/mountinfo";
    }

    /** What a runtime gives instead of the expected text, and why. */
    record Deviation(String why, int status, String out, String errContains) {
    }

    @FunctionalInterface
    interface Setup {
        void apply(RunBundle bundle, HostFixtures host, Map<String, String> names) throws Exception;
    }

    /** How the runtime is started: plainly, with a socket passed (LISTEN_FDS), or at a terminal. */
    enum Caller { PLAIN, LISTEN_FD, TERMINAL }

    record Case(String name, String script, Setup setup, int status, String expected,
                Map<OciRuntime, Deviation> deviations, Caller caller, String assumption) {
    }

    private static final class CaseBuilder {
        private final String name;
        private String script = "true";
        private Setup setup = (b, h, n) -> { };
        private String expected = "";
        private int status;
        private final Map<OciRuntime, Deviation> deviations = new EnumMap<>(OciRuntime.class);
        private Caller caller = Caller.PLAIN;
        private String assumption;

        CaseBuilder(String name) {
            this.name = name;
        }

        CaseBuilder script(String s) {
            script = s;
            return this;
        }

        CaseBuilder setup(Setup s) {
            setup = s;
            return this;
        }

        CaseBuilder expect(String text) {
            expected = text;
            return this;
        }

        CaseBuilder expect(int exitStatus, String text) {
            status = exitStatus;
            expected = text;
            return this;
        }

        /** runc 1.1.5 runs it but shows something else. */
        CaseBuilder runcShows(String why, String out) {
            deviations.put(OciRuntime.RUNC, new Deviation(why, 0, out, null));
            return this;
        }

        /** runc 1.1.5 refuses the bundle. */
        CaseBuilder runcFails(String why, String errContains) {
            deviations.put(OciRuntime.RUNC, new Deviation(why, 1, null, errContains));
            return this;
        }

        CaseBuilder caller(Caller how) {
            caller = how;
            return this;
        }

        CaseBuilder assume(boolean ok, String why) {
            if (!ok) {
                assumption = why;
            }
            return this;
        }

        Case build() {
            return new Case(name, script, setup, status, expected, Map.copyOf(deviations), caller, assumption);
        }
    }

    static CaseBuilder c(String name) {
        return new CaseBuilder(name);
    }

    private static final String NS_LOOP = "for n in cgroup ipc mnt net pid time user uts; do readlink /proc/self/ns/$n; done";
    private static final String MAPS = "awk '{print \"uid_map\", $1, $2, $3}' /proc/self/uid_map;"
            + " awk '{print \"gid_map\", $1, $2, $3}' /proc/self/gid_map";

    static List<Case> cases() {
        List<Case> all = new ArrayList<>();
        all.add(c("namespaces created new")
                .setup((b, h, n) -> b.namespace("cgroup", null))
                .script(NS_LOOP + "; echo pid=$$")
                .expect("cgroup:new\nipc:new\nmnt:new\nnet:new\npid:new\ntime:host\nuser:host\nuts:new\npid=1").build());
        all.add(c("namespaces joined by path")
                .setup((b, h, n) -> {
                    long shared = h.holder(false, "--net", "--ipc", "--uts", "--cgroup");
                    long pid = h.holder(true, "--pid");
                    for (String ns : List.of("net", "ipc", "uts", "cgroup")) {
                        n.put(HostFixtures.nsLink(shared, ns), ns + ":holder");
                    }
                    n.put(HostFixtures.nsLink(pid, "pid"), "pid:holder");
                    b.namespace("network", "/proc/" + shared + "/ns/net").namespace("ipc", "/proc/" + shared + "/ns/ipc")
                            .namespace("uts", "/proc/" + shared + "/ns/uts").namespace("cgroup", "/proc/" + shared + "/ns/cgroup")
                            .namespace("pid", "/proc/" + pid + "/ns/pid");
                })
                .script(NS_LOOP + "; [ $$ -gt 1 ] && echo 'pid>1'")
                .expect("cgroup:holder\nipc:holder\nmnt:new\nnet:holder\npid:holder\ntime:host\nuser:host\nuts:holder\npid>1")
                .build());
        all.add(c("user namespace joined by path")
                .setup((b, h, n) -> {
                    long pid = h.holder(false, "--user");
                    HostFixtures.writeFile("/proc/" + pid + "/uid_map", "0 100000 65536\n");
                    HostFixtures.writeFile("/proc/" + pid + "/setgroups", "deny");
                    HostFixtures.writeFile("/proc/" + pid + "/gid_map", "0 100000 65536\n");
                    n.put(HostFixtures.nsLink(pid, "user"), "user:holder");
                    b.namespace("user", "/proc/" + pid + "/ns/user").withoutCgroupMount().chownRootfs(100000);
                })
                .script("readlink /proc/self/ns/user; " + MAPS + "; id -u; cat /proc/self/setgroups")
                .expect("user:holder\nuid_map 0 100000 65536\ngid_map 0 100000 65536\n0\ndeny")
                .runcFails("runc 1.1.5 wants uidMappings even for a user namespace it joins (runc 1.2 reads them"
                        + " from the namespace); the spec has no mappings for a joined one", "no uid mappings found").build());
        all.add(c("user namespace with mappings")
                .setup((b, h, n) -> b.mappedUserNamespace().withoutCgroupMount())
                .script("readlink /proc/self/ns/user; " + MAPS + "; id; grep -E '^Cap(Prm|Bnd)' /proc/self/status;"
                        + " cat /proc/self/setgroups; stat -c '%n %A %u %t %T' /dev/null /dev/tty /dev/urandom; "
                        + mountsOf("/sys", "/proc", "/dev"))
                .expect("""
                        user:new
                        uid_map 0 100000 65536
                        gid_map 0 100000 65536
                        uid=0(root) gid=0(root)
                        CapPrm:\t0000000020000420
                        CapBnd:\t0000000020000420
                        allow
                        /dev/null crw-rw-rw- 65534 1 3
                        /dev/tty crw-rw-rw- 65534 5 0
                        /dev/urandom crw-rw-rw- 65534 1 9
                        /proc rw,relatime private proc
                        /dev rw,nosuid private tmpfs
                        /sys ro,nosuid,nodev,noexec,relatime private sysfs""").build());
        all.add(c("time namespace with offsets")
                .setup((b, h, n) -> b.namespace("time", null).merge("""
                        {"linux": {"timeOffsets": {"monotonic": {"secs": 1000, "nanosecs": 5}, "boottime": {"secs": 2000}}}}"""))
                .script("readlink /proc/self/ns/time; awk '{print $1, $2, $3}' /proc/self/timens_offsets")
                .expect("time:new\nmonotonic 1000 5\nboottime 2000 0")
                .runcFails("time namespaces came with runc 1.2", "does not exist").build());
        all.add(c("time namespace joined by path")
                .setup((b, h, n) -> {
                    long pid = h.holder(true, "--time", "--monotonic", "300", "--boottime", "400");
                    n.put(HostFixtures.nsLink(pid, "time"), "time:holder");
                    b.namespace("time", "/proc/" + pid + "/ns/time");
                })
                .script("readlink /proc/self/ns/time; awk '{print $1, $2, $3}' /proc/self/timens_offsets")
                .expect("time:holder\nmonotonic 300 0\nboottime 400 0")
                .runcFails("time namespaces came with runc 1.2", "does not exist").build());
        all.add(c("hostname and domainname")
                .setup((b, h, n) -> b.merge("{\"hostname\": \"box-1\", \"domainname\": \"example.test\"}"))
                .script("hostname; cat /proc/sys/kernel/domainname")
                .expect("box-1\nexample.test")
                .runcShows("domainname came with runc 1.2; runc 1.1.5 ignores it", "box-1\n(none)").build());
        all.add(c("args, env, cwd and HOME")
                .setup((b, h, n) -> {
                    b.args("sh", "-c", "echo \"0=$0 1=$1 2=$2\"; echo \"FOO=$FOO\"; pwd; echo \"HOME=$HOME\"; echo \"PATH=$PATH\"",
                            "zero", "one two", "");
                    b.process().putArray("env").add("PATH=/bin:/usr/bin").add("FOO=a b=c");
                    b.process().put("cwd", "/root/deep/er");
                    b.dir("/root/deep/er");
                })
                .expect("0=zero 1=one two 2=\nFOO=a b=c\n/root/deep/er\nHOME=/root\nPATH=/bin:/usr/bin").build());
        all.add(c("user uid, gid, additionalGids and umask")
                .setup((b, h, n) -> b.merge("{\"process\": {\"user\": {\"uid\": 1000, \"gid\": 1001, \"additionalGids\": [5, 7],"
                        + " \"umask\": 63}}}").addMount("{\"destination\": \"/w\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
                        + " \"options\": [\"mode=1777\"]}"))
                .script("grep -E '^(Uid|Gid|Groups):' /proc/self/status; umask; touch /w/f; mkdir /w/d;"
                        + " stat -c '%a %u %g' /w/f /w/d; echo \"HOME=$HOME\"")
                .expect("Uid:\t1000\t1000\t1000\t1000\nGid:\t1001\t1001\t1001\t1001\nGroups:\t5 7\n0077\n600 1000 1001\n"
                        + "700 1000 1001\nHOME=/home/u").build());
        all.add(c("capabilities of root")
                .setup((b, h, n) -> b.merge("""
                        {"process": {"capabilities": {
                            "bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW", "CAP_SYS_ADMIN", "CAP_NET_BIND_SERVICE"],
                            "effective": ["CAP_CHOWN", "CAP_KILL"], "permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
                            "inheritable": ["CAP_KILL"], "ambient": ["CAP_KILL"]}}}"""))
                .script("grep -E '^Cap' /proc/self/status")
                // root's exec would gain the bounding set, but noNewPrivileges (on in runc's default
                // config) keeps it to what it had: the configured sets, ambient included
                .expect("CapInh:\t0000000000000020\nCapPrm:\t0000000000002021\nCapEff:\t0000000000002021\n"
                        + "CapBnd:\t0000000000202421\nCapAmb:\t0000000000000020").build());
        all.add(c("capabilities of a user, with ambient ones")
                .setup((b, h, n) -> b.merge("""
                        {"process": {"user": {"uid": 1000, "gid": 1000}, "capabilities": {
                            "bounding": ["CAP_NET_RAW", "CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN"],
                            "effective": ["CAP_CHOWN", "CAP_KILL"], "permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
                            "inheritable": ["CAP_KILL", "CAP_NET_RAW"], "ambient": ["CAP_KILL", "CAP_NET_RAW"]}}}"""))
                .script("grep -E '^Cap' /proc/self/status")
                .expect("CapInh:\t0000000000002020\nCapPrm:\t0000000000002020\nCapEff:\t0000000000002020\n"
                        + "CapBnd:\t0000000000202021\nCapAmb:\t0000000000002020").build());
        all.add(c("rlimits (lowered: the host's root lacks CAP_SYS_RESOURCE)")
                .setup((b, h, n) -> b.merge("""
                        {"process": {"rlimits": [{"type": "RLIMIT_NOFILE", "soft": 100, "hard": 200},
                            {"type": "RLIMIT_CORE", "soft": 0, "hard": 0}, {"type": "RLIMIT_NPROC", "soft": 50, "hard": 60},
                            {"type": "RLIMIT_MSGQUEUE", "soft": 4096, "hard": 8192}]}}"""))
                .script("grep -E '^Max (open files|core file size|processes|msgqueue size)' /proc/self/limits | tr -s ' '")
                .expect("Max core file size 0 0 bytes\nMax processes 50 60 processes\nMax open files 100 200 files\n"
                        + "Max msgqueue size 4096 8192 bytes").build());
        all.add(c("noNewPrivileges set")
                .setup((b, h, n) -> b.merge("{\"process\": {\"noNewPrivileges\": true}}"))
                .script("grep NoNewPrivs /proc/self/status").expect("NoNewPrivs:\t1").build());
        all.add(c("noNewPrivileges unset")
                .setup((b, h, n) -> b.merge("{\"process\": {\"noNewPrivileges\": false}}"))
                .script("grep NoNewPrivs /proc/self/status").expect("NoNewPrivs:\t0").build());
        all.add(c("oomScoreAdj")
                .setup((b, h, n) -> b.merge("{\"process\": {\"oomScoreAdj\": 123}}"))
                .script("cat /proc/self/oom_score_adj").expect("123").build());
        all.add(c("only stdio reaches the container")
                // ls lists its own fds: the inherited ones and the directory it reads (the last)
                .script("ls /proc/self/fd; echo \"LISTEN_FDS=$LISTEN_FDS\"")
                .expect("0\n1\n2\n3\nLISTEN_FDS=").build());
        all.add(c("LISTEN_FDS: a passed socket and the env that says so")
                .caller(Caller.LISTEN_FD)
                .script("ls /proc/self/fd; echo \"LISTEN_FDS=$LISTEN_FDS LISTEN_PID=$LISTEN_PID\"; cat <&3")
                .expect("0\n1\n2\n3\n4\nLISTEN_FDS=1 LISTEN_PID=1\nhanded over").build());
        all.add(c("terminal: a pty of the container's devpts as stdio and controlling terminal, the caller's size")
                .caller(Caller.TERMINAL)
                .setup((b, h, n) -> b.process().put("terminal", true))
                // runc sets the size a moment after the start: the script waits for it
                .script("tty; for f in 0 1 2; do readlink /proc/self/fd/$f; done; sleep 0.3; stty size;"
                        + " [ \"$(cut -d' ' -f7 /proc/self/stat)\" != 0 ] && echo has-ctty; echo TERM=$TERM; exit 3")
                .expect(3, "/dev/pts/0\n/dev/pts/0\n/dev/pts/0\n/dev/pts/0\n33 111\nhas-ctty\nTERM=xterm").build());
        all.add(c("terminal without one at the caller: process.consoleSize")
                .setup((b, h, n) -> b.merge("{\"process\": {\"terminal\": true, \"consoleSize\": {\"height\": 30, \"width\": 100}}}"))
                .script("tty; stty size")
                .expect("/dev/pts/0\n30 100")
                .runcFails("runc 1.1.5 needs a terminal on its stdin for a terminal container", "open /dev/tty").build());
        all.add(c("tmpfs mounts: size, mode, nosuid, nodev, noexec, ro, atime")
                .setup((b, h, n) -> b
                        .addMount("{\"destination\": \"/t1\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
                                + " \"options\": [\"size=1m\", \"mode=700\", \"nosuid\", \"nodev\", \"noexec\", \"ro\"]}")
                        .addMount("{\"destination\": \"/t2\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
                                + " \"options\": [\"size=2m\", \"mode=1777\", \"strictatime\"]}")
                        .addMount("{\"destination\": \"/a/b/t3\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
                                + " \"options\": [\"noatime\", \"nr_inodes=100\"]}"))
                .script(mountsOf("/t1", "/t2", "/a/b/t3") + "; stat -c '%n %a' /t1 /t2; touch /t1/x 2>/dev/null || echo t1-ro;"
                        + " touch /t2/x && echo t2-rw; awk '$5 ~ /^\\/t[12]$/ {print $5, $NF}' /proc/self/mountinfo")
                .expect("/t1 ro,nosuid,nodev,noexec,relatime private tmpfs\n/t2 rw private tmpfs\n"
                        + "/a/b/t3 rw,noatime private tmpfs\n/t1 700\n/t2 1777\nt1-ro\nt2-rw\n"
                        + "/t1 rw,size=1024k,mode=700\n/t2 rw,size=2048k").build());
        all.add(c("bind mounts: ro, nosuid, nodev, noatime, rbind, rro, files, propagation")
                .setup(RunMatrixTest::bindSources)
                .script(mountsOf("/b1", "/b2", "/b2/sub", "/b3", "/b3/sub", "/f1", "/b4", "/b5", "/b5/sub", "/b6", "/b7")
                        + "; cat /f1; touch /b2/sub/x 2>/dev/null || echo rro-sub-ro")
                .expect("""
                        /b1 ro,nosuid,relatime private tmpfs
                        /b2 ro,relatime private tmpfs
                        /b2/sub ro,relatime private tmpfs
                        /b3 rw,nodev,noatime private tmpfs
                        /b3/sub rw,relatime private tmpfs
                        /f1 ro,relatime private tmpfs
                        /b4 rw,relatime private tmpfs
                        /b5 rw,relatime shared master tmpfs
                        /b5/sub rw,relatime shared master tmpfs
                        /b6 rw,relatime master tmpfs
                        /b7 rw,relatime unbindable tmpfs
                        file content
                        rro-sub-ro""").build());
        all.add(c("masked and read-only paths")
                .setup((b, h, n) -> b.file("/etc/secret", "s3cret").file("/opt/hidden/file", "x").dir("/opt/ro")
                        .merge("{\"root\": {\"readonly\": false}}")
                        .merge("{\"linux\": {\"maskedPaths\": [\"/etc/secret\", \"/opt/hidden\", \"/not/there\", \"/proc/timer_list\","
                                + " \"/sys/firmware\"], \"readonlyPaths\": [\"/opt/ro\", \"/not/there/either\", \"/proc/sys\"]}}"))
                .script("echo \"secret=[$(cat /etc/secret)]\"; echo \"hidden=$(ls /opt/hidden | wc -l)\";"
                        + " touch /opt/hidden/x 2>/dev/null || echo hidden-ro; touch /opt/ro/x 2>/dev/null || echo ro-ro;"
                        + " touch /opt/x && echo opt-rw; echo \"timer_list=$(wc -c < /proc/timer_list)\";"
                        + " stat -c '%n %t %T' /etc/secret; " + mountsOf("/opt/hidden", "/opt/ro", "/sys/firmware", "/proc/sys"))
                .expect("""
                        secret=[]
                        hidden=0
                        hidden-ro
                        ro-ro
                        opt-rw
                        timer_list=0
                        /etc/secret 1 3
                        /opt/ro ro,relatime private $FS
                        /proc/sys ro,relatime private proc
                        /opt/hidden ro,relatime private tmpfs
                        /sys/firmware ro,relatime private tmpfs""").build());
        all.add(c("root.readonly true")
                .setup((b, h, n) -> b.merge("{\"root\": {\"readonly\": true}}"))
                .script("touch /x 2>/dev/null || echo root-ro; " + mountsOf("/"))
                .expect("root-ro\n/ ro,relatime private $FS").build());
        all.add(c("root.readonly false")
                .setup((b, h, n) -> b.merge("{\"root\": {\"readonly\": false}}"))
                .script("touch /x && echo root-rw; " + mountsOf("/"))
                .expect("root-rw\n/ rw,relatime private $FS").build());
        for (String p : List.of("private", "slave", "shared", "unbindable")) {
            CaseBuilder cb = c("rootfsPropagation " + p + " (rootfs a shared mount on the host)")
                    .setup((b, h, n) -> {
                        h.mount("--bind", b.rootfs.toString(), b.rootfs.toString());
                        h.propagation("shared", b.rootfs);
                        b.merge("{\"linux\": {\"rootfsPropagation\": \"" + p + "\"}}");
                    })
                    .script(mountsOf("/"))
                    .expect("/ ro,relatime " + switch (p) {
                        case "slave" -> "master";
                        case "private" -> "private";
                        default -> p;
                    } + " $FS");
            if (!p.equals("private")) {
                cb.runcShows("runc 1.1.5 sets the propagation on the host's / (in the new namespace) before the pivot"
                        + " only, and makes the rootfs mount private; runc >= 1.3.1 and jsyd-oci give the container's"
                        + " own / the propagation the spec asks for", "/ ro,relatime private $FS");
            }
            all.add(cb.build());
        }
        all.add(c("sysctls")
                .setup((b, h, n) -> b.merge("""
                        {"linux": {"sysctl": {"net.ipv4.ip_forward": "1", "kernel.shmmax": "12345678",
                                              "kernel.msgmax": "4096", "net.ipv4.ping_group_range": "0 2147483647"}}}"""))
                .script("cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax /proc/sys/kernel/msgmax;"
                        + " tr '\\t' ' ' < /proc/sys/net/ipv4/ping_group_range")
                .expect("1\n12345678\n4096\n0 2147483647").build());
        all.add(c("devices: default nodes and links, and linux.devices")
                .setup((b, h, n) -> b.merge("""
                        {"linux": {"devices": [
                            {"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 384, "uid": 5, "gid": 6},
                            {"path": "/dev/sda9", "type": "b", "major": 8, "minor": 9},
                            {"path": "/dev/myfifo", "type": "p"},
                            {"path": "/dev/sub/null2", "type": "c", "major": 1, "minor": 3, "fileMode": 438}]}}"""))
                .script("stat -c '%n %A %u %g %t %T' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty"
                        + " /dev/fuse /dev/sda9 /dev/myfifo /dev/sub/null2;"
                        + " for l in fd stdin stdout stderr ptmx; do echo \"$l -> $(readlink /dev/$l)\"; done;"
                        + " echo x > /dev/null && echo null-writable")
                .expect("""
                        /dev/null crw-rw-rw- 0 0 1 3
                        /dev/zero crw-rw-rw- 0 0 1 5
                        /dev/full crw-rw-rw- 0 0 1 7
                        /dev/random crw-rw-rw- 0 0 1 8
                        /dev/urandom crw-rw-rw- 0 0 1 9
                        /dev/tty crw-rw-rw- 0 0 5 0
                        /dev/fuse crw------- 5 6 a e5
                        /dev/sda9 brw-rw-rw- 0 0 8 9
                        /dev/myfifo prw-rw-rw- 0 0 0 0
                        /dev/sub/null2 crw-rw-rw- 0 0 1 3
                        fd -> /proc/self/fd
                        stdin -> /proc/self/fd/0
                        stdout -> /proc/self/fd/1
                        stderr -> /proc/self/fd/2
                        ptmx -> pts/ptmx
                        null-writable""").build());
        all.add(c("personality LINUX32")
                .setup((b, h, n) -> b.merge("{\"linux\": {\"personality\": {\"domain\": \"LINUX32\"}}}"))
                .script("uname -m; cat /proc/self/personality")
                .expect("i686\n00000008")
                .runcShows("personality came with runc 1.2; runc 1.1.5 ignores it", "x86_64\n00000000").build());
        all.add(c("scheduler SCHED_BATCH, nice 7")
                .setup((b, h, n) -> b.merge("{\"process\": {\"scheduler\": {\"policy\": \"SCHED_BATCH\", \"nice\": 7}}}"))
                .script("awk '/^policy/ {print \"policy\", $3}' /proc/self/sched; echo \"nice $(cut -d' ' -f19 /proc/self/stat)\"")
                .expect("policy 3\nnice 7")
                .runcShows("process.scheduler came with runc 1.2; runc 1.1.5 ignores it", "policy 0\nnice 0").build());
        all.add(c("ioPriority best-effort 6")
                .setup((b, h, n) -> b.merge("{\"process\": {\"ioPriority\": {\"class\": \"IOPRIO_CLASS_BE\", \"priority\": 6}}}"))
                .script("ionice -p $$")
                .expect("best-effort: prio 6")
                .runcShows("process.ioPriority came with runc 1.2; runc 1.1.5 ignores it", "none: prio 0").build());
        String cpus = hostCpus();
        all.add(c("execCPUAffinity final")
                .assume(Runtime.getRuntime().availableProcessors() >= 2, "needs two CPUs")
                .setup((b, h, n) -> b.merge("{\"process\": {\"execCPUAffinity\": {\"initial\": \"1\", \"final\": \"0\"}}}"))
                .script("grep Cpus_allowed_list /proc/self/status")
                .expect("Cpus_allowed_list:\t0")
                .runcShows("execCPUAffinity came with runc 1.3; runc 1.1.5 ignores it", "Cpus_allowed_list:\t" + cpus).build());
        all.add(c("sysfs in a user namespace without a network namespace: the host's /sys, bound")
                .setup((b, h, n) -> b.mappedUserNamespace().withoutCgroupMount().withoutNamespace("network"))
                .script(mountsOf("/sys") + "; touch /sys/x 2>/dev/null || echo sys-ro")
                .expect("/sys ro,nosuid,nodev,noexec,relatime private sysfs\nsys-ro")
                .runcFails("runc mounts sysfs, which only the owner of the network namespace may; crun and jsyd-oci"
                        + " bind the host's /sys instead", "operation not permitted").build());
        all.add(c("bind remounts in a user namespace keep the flags it locks")
                .setup((b, h, n) -> {
                    Path src = b.dir.resolve("locked");
                    Files.createDirectories(src);
                    h.mount("-t", "tmpfs", "-o", "nosuid,nodev,noexec,noatime,size=1m", "locked", src.toString());
                    b.mappedUserNamespace().withoutCgroupMount()
                            .addMount("{\"destination\": \"/lk\", \"source\": \"" + src + "\", \"options\": [\"bind\", \"ro\"]}");
                })
                .script(mountsOf("/lk"))
                .expect("/lk ro,nosuid,nodev,noexec,noatime private tmpfs")
                .runcFails("runc keeps the locked flags since 1.2.0; 1.1.5 remounts without them and gets EPERM",
                        "operation not permitted").build());
        all.add(c("idmap bind mount with the container's user namespace mapping")
                .setup((b, h, n) -> b.mappedUserNamespace().withoutCgroupMount()
                        .addMount("{\"destination\": \"/id\", \"source\": \"" + hostFiles(b) + "\", \"options\": [\"bind\", \"idmap\"]}")
                        .addMount("{\"destination\": \"/plain\", \"source\": \"" + hostFiles(b) + "\", \"options\": [\"bind\"]}"))
                .script("stat -c '%n %u %g' /id/owned-by-host-root /plain/owned-by-host-root; " + mountsOf("/id", "/plain"))
                .expect("/id/owned-by-host-root 0 0\n/plain/owned-by-host-root 65534 65534\n"
                        + "/id rw,relatime,idmapped private $FS\n/plain rw,relatime private $FS")
                .runcShows("idmapped mounts came with runc 1.2; runc 1.1.5 ignores the option",
                        "/id/owned-by-host-root 65534 65534\n/plain/owned-by-host-root 65534 65534\n"
                                + "/id rw,relatime private $FS\n/plain rw,relatime private $FS").build());
        all.add(c("ridmap rbind mount with its own mapping, no user namespace")
                .setup((b, h, n) -> b.addMount("{\"destination\": \"/id\", \"source\": \"" + hostFiles(b) + "\","
                        + " \"options\": [\"rbind\", \"ridmap\"], \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}],"
                        + " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1001, \"size\": 1}]}"))
                .script("stat -c '%n %u %g' /id/owned-by-host-root; " + mountsOf("/id"))
                .expect("/id/owned-by-host-root 1000 1001\n/id rw,relatime,idmapped private $FS")
                .runcShows("idmapped mounts came with runc 1.2; runc 1.1.5 ignores the option and the maps",
                        "/id/owned-by-host-root 0 0\n/id rw,relatime private $FS").build());
        return all;
    }

    /** A host directory with a file owned by the host's root, next to the bundle. */
    private static String hostFiles(RunBundle b) throws IOException {
        Path src = b.dir.resolveSibling("host-files");
        if (!Files.exists(src)) {
            Files.createDirectories(src);
            Files.writeString(src.resolve("owned-by-host-root"), "x\n");
        }
        return src.toString();
    }

    /** A tmpfs with a file and a tmpfs below it, shared, for the bind cases. */
    private static void bindSources(RunBundle b, HostFixtures h, Map<String, String> n) throws IOException {
        Path src = b.dir.resolve("src");
        Files.createDirectories(src);
        h.mount("-t", "tmpfs", "-o", "size=1m", "src", src.toString());
        h.propagation("shared", src);
        Files.writeString(src.resolve("file"), "file content\n");
        Files.createDirectories(src.resolve("sub"));
        h.mount("-t", "tmpfs", "-o", "size=1m", "sub", src.resolve("sub").toString());
        String s = src.toString();
        b.addMount("{\"destination\": \"/b1\", \"source\": \"" + s + "\", \"options\": [\"bind\", \"ro\", \"nosuid\", \"private\"]}")
                .addMount("{\"destination\": \"/b2\", \"type\": \"bind\", \"source\": \"" + s + "\", \"options\": [\"rbind\", \"rro\", \"rprivate\"]}")
                .addMount("{\"destination\": \"/b3\", \"source\": \"" + s + "\", \"options\": [\"rbind\", \"nodev\", \"noatime\", \"rprivate\"]}")
                .addMount("{\"destination\": \"/f1\", \"source\": \"" + s + "/file\", \"options\": [\"bind\", \"ro\", \"private\"]}")
                .addMount("{\"destination\": \"/b4\", \"source\": \"" + s + "\", \"options\": [\"bind\", \"private\"]}")
                .addMount("{\"destination\": \"/b5\", \"source\": \"" + s + "\", \"options\": [\"rbind\", \"rshared\"]}")
                .addMount("{\"destination\": \"/b6\", \"source\": \"" + s + "\", \"options\": [\"bind\", \"slave\"]}")
                .addMount("{\"destination\": \"/b7\", \"source\": \"" + s + "\", \"options\": [\"bind\", \"unbindable\"]}");
    }

    private static String hostCpus() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Cpus_allowed_list:"))
                    .map(l -> l.substring(l.indexOf('\t') + 1).strip()).findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    /** -Djsyd.matrix=TEXT runs only the cases whose name contains TEXT. */
    @TestFactory
    Stream<DynamicContainer> matrix() {
        String only = System.getProperty("jsyd.matrix", "");
        return cases().stream().filter(c -> c.name().contains(only)).map(c -> DynamicContainer.dynamicContainer(c.name(),
                Stream.of(OciRuntime.values()).map(rt -> DynamicTest.dynamicTest(rt.label(), () -> check(c, rt)))));
    }

    private static final Pattern NS_LINK = Pattern.compile("\\b(\\w+):\\[\\d+\\]");
    private static final Pattern PEER = Pattern.compile("\\b(shared|master|propagate_from):\\d+");

    /** Host namespace links read "ns:host", the case's holders' "ns:holder", any other "ns:new". */
    static String normalize(String out, Map<String, String> names) {
        String s = out;
        for (Map.Entry<String, String> e : names.entrySet()) {
            s = s.replace(e.getKey(), e.getValue());
        }
        s = NS_LINK.matcher(s).replaceAll("$1:new");
        s = PEER.matcher(s).replaceAll("$1").replace("\0", "");
        // at a terminal stderr is merged in: jsyd-oci's warnings (of the default config's
        // ambient capabilities, which runc skips without a word) are not the container's
        return String.join("\n", s.lines().map(String::stripTrailing).filter(l -> !l.startsWith("jsyd-oci: warning: "))
                .toList()).strip();
    }

    static Map<String, String> hostNamespaceNames() {
        Map<String, String> names = new LinkedHashMap<>();
        for (String ns : List.of("cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts")) {
            names.put(HostFixtures.nsLink(Path.of("/proc/self/ns/" + ns)), ns + ":host");
        }
        return names;
    }

    private static void check(Case c, OciRuntime rt) throws Exception {
        assumeTrue(rt.available(), rt.label() + " is not installed");
        assumeTrue(c.assumption() == null, c.assumption());
        // reachable by the mapped root of the user namespace cases
        Path dir = Files.createTempDirectory("jsyd-matrix-",
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
        try {
            OciRuntime.Result r;
            Map<String, String> names = hostNamespaceNames();
            Path state = dir.resolve("state");
            String id = "matrix-" + ProcessHandle.current().pid() + "-" + Math.abs(c.name().hashCode());
            try (HostFixtures host = new HostFixtures()) {
                RunBundle b = RunBundle.create(dir.resolve("bundle"), c.script());
                c.setup().apply(b, host, names);
                b.write();
                r = switch (c.caller()) {
                    case PLAIN -> rt.run(state, b.dir, id);
                    case LISTEN_FD -> rt.runWithListenFd(state, b.dir, id, Files.writeString(dir.resolve("fd3"), "handed over\n"));
                    case TERMINAL -> rt.runInTerminal(state, b.dir, id);
                };
            }
            assertFalse(Files.exists(state.resolve(id)), rt.label() + " left its state directory behind");
            String label = "[" + c.name() + "] [" + rt.label() + "] ";
            // $FS: the filesystem of the temporary directory (the rootfs and the host files)
            String fs = Files.getFileStore(dir).type();
            Deviation d = c.deviations().get(rt);
            if (d == null) {
                assertEquals(c.status(), r.status(), label + r.describe());
                assertEquals(c.expected().replace("$FS", fs), normalize(r.out(), names), label + r.describe());
            } else {
                assertEquals(d.status(), r.status(), label + d.why() + "\n" + r.describe());
                if (d.out() != null) {
                    assertEquals(d.out().replace("$FS", fs), normalize(r.out(), names), label + d.why() + "\n" + r.describe());
                }
                if (d.errContains() != null) {
                    assertTrue(r.err().contains(d.errContains()), label + d.why() + "\n" + r.describe());
                }
            }
            System.out.println("matrix: " + label + (d == null ? "as expected" : "differs as documented: " + d.why()));
        } finally {
            OciRuntime.exec(List.of("rm", "-rf", "--one-file-system", dir.toString()));
        }
    }
}
