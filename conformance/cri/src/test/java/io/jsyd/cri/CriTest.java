package io.jsyd.cri;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jsyd.cri.v1.ContainerConfig;
import io.jsyd.cri.v1.ContainerFilter;
import io.jsyd.cri.v1.ContainerMetadata;
import io.jsyd.cri.v1.ContainerState;
import io.jsyd.cri.v1.ContainerStatusRequest;
import io.jsyd.cri.v1.ContainerStatusResponse;
import io.jsyd.cri.v1.CreateContainerRequest;
import io.jsyd.cri.v1.ExecSyncRequest;
import io.jsyd.cri.v1.ExecSyncResponse;
import io.jsyd.cri.v1.ImageSpec;
import io.jsyd.cri.v1.LinuxContainerConfig;
import io.jsyd.cri.v1.LinuxContainerResources;
import io.jsyd.cri.v1.LinuxContainerSecurityContext;
import io.jsyd.cri.v1.LinuxPodSandboxConfig;
import io.jsyd.cri.v1.LinuxSandboxSecurityContext;
import io.jsyd.cri.v1.ListContainersRequest;
import io.jsyd.cri.v1.ListPodSandboxRequest;
import io.jsyd.cri.v1.NamespaceMode;
import io.jsyd.cri.v1.NamespaceOption;
import io.jsyd.cri.v1.PodSandboxConfig;
import io.jsyd.cri.v1.PodSandboxMetadata;
import io.jsyd.cri.v1.PodSandboxState;
import io.jsyd.cri.v1.PodSandboxStatusRequest;
import io.jsyd.cri.v1.PodSandboxStatusResponse;
import io.jsyd.cri.v1.RemoveContainerRequest;
import io.jsyd.cri.v1.RemovePodSandboxRequest;
import io.jsyd.cri.v1.RunPodSandboxRequest;
import io.jsyd.cri.v1.RuntimeServiceGrpc.RuntimeServiceBlockingStub;
import io.jsyd.cri.v1.StartContainerRequest;
import io.jsyd.cri.v1.StopContainerRequest;
import io.jsyd.cri.v1.StopPodSandboxRequest;
import io.jsyd.cri.v1.VersionRequest;
import io.jsyd.shim.ShimPaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes' path to jsyd-oci without a kubelet: this test is the kubelet. It
 * starts a private containerd 1.6 (its own root, state, sockets) whose CRI plugin
 * has the runtime handler {@code jsyd} (runtime type io.containerd.jsyd.v2, the
 * shim of this reactor) and a pause image built here as its sandbox image, and
 * drives a host-network pod of two containers through runtime.v1 over gRPC: no
 * registry and no CNI plugin are needed. It checks that the sandbox and both
 * containers are children of one shim process, and that nothing is left once the
 * pod is removed.
 *
 * <p>Everything it needs (containerd, ctr, podman, gcc, busybox-static) is
 * installed by scripts/setup, so a missing tool fails the test rather than
 * skipping it.
 */
@Tag("root")
@Tag("cri")
class CriTest {
    private static final String HANDLER = "jsyd";
    private static final String NAMESPACE = "k8s.io";
    private static final String PAUSE_IMAGE = "localhost/jsyd-pause:cri";
    private static final String BUSYBOX_IMAGE = "localhost/jsyd-busybox:cri";
    /** The annotations the runtime's allow-lists pass (org.jsyd.*) and one they do not. */
    private static final String POD_ANNOTATION = "org.jsyd.cri-test.pod";
    private static final String CONTAINER_ANNOTATION = "org.jsyd.cri-test.container";
    private static final String OTHER_ANNOTATION = "example.com/not-passed";
    private static final Pattern PID = Pattern.compile("\"pid\":\\s*(\\d+)");
    /**
     * gRPC asks every transport for SO_KEEPALIVE, which a unix socket does not have:
     * Netty's warning about it, once per connection, is noise here (held so the
     * level set on it stays).
     */
    private static final java.util.logging.Logger BOOTSTRAP_LOG = java.util.logging.Logger.getLogger(
            "io.grpc.netty.shaded.io.netty.bootstrap");

    /** The pod's cgroup parent (cgroupfs style, as the kubelet's /kubepods/...), unique to the run. */
    private static final String CGROUP_PARENT = "/jsyd-cri-" + UUID.randomUUID().toString().substring(0, 8);
    private static final long MEMORY_LIMIT = 64L << 20;

    private static Path tmp;
    private static Path socket;
    private static Process containerd;
    private static CriConnection cri;
    /**
     * Processes of the pod seen by the test: killed in the clean-up if a failure left
     * them. Handles, not pids: a handle knows its process's start time, so a pid
     * reused since is never signalled.
     */
    private static final List<ProcessHandle> podProcesses = new ArrayList<>();

    @BeforeAll
    static void startContainerd() throws Exception {
        assertEquals(0, (int) Files.getAttribute(Path.of("/proc/self"), "unix:uid"),
                "the CRI test is tagged \"root\": it runs containerd (exclude the group to run without root)");
        for (String tool : List.of("containerd", "ctr", "podman", "gcc", "tar")) {
            assertTrue(onPath(tool), tool + " is not on PATH: scripts/setup installs it");
        }
        assertTrue(Files.isExecutable(Path.of("/bin/busybox")), "no /bin/busybox: scripts/setup installs busybox-static");

        BOOTSTRAP_LOG.setLevel(java.util.logging.Level.SEVERE);
        tmp = Files.createTempDirectory(Path.of("/tmp"), "jsyd-cri.");
        socket = tmp.resolve("containerd.sock");
        buildImages();
        writeShimLauncher();
        Path config = writeConfig();

        ProcessBuilder pb = new ProcessBuilder("containerd", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("containerd.log").toFile());
        pb.environment().put("PATH", tmp.resolve("bin") + ":" + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
        containerd = pb.start();
        await(Duration.ofSeconds(30), () -> Files.exists(socket), "containerd's socket " + socket);

        for (String[] image : List.of(new String[] {"pause.tar", "localhost/jsyd-pause"},
                new String[] {"busybox.tar", "localhost/jsyd-busybox"})) {
            Host.run(List.of("ctr", "--address", socket.toString(), "-n", NAMESPACE, "images", "import",
                    "--snapshotter", "native", "--base-name", image[1], tmp.resolve(image[0]).toString()));
        }
        cri = CriConnection.open(socket);
        String version = null;
        for (int i = 0; i < 100 && version == null; i++) {
            try {
                version = cri.runtime(5).version(VersionRequest.newBuilder().setVersion("v1").build()).getRuntimeApiVersion();
            } catch (io.grpc.StatusRuntimeException e) {
                Thread.sleep(100);
            }
        }
        assertEquals("v1", version, "containerd's CRI plugin answers runtime.v1 Version; log:\n" + log());
    }

    @AfterAll
    static void stopContainerd() throws Exception {
        if (cri != null) {
            cri.close();
        }
        // A failure can leave the pod: its shim and processes were started for this containerd only.
        List<ProcessHandle> leftovers = new ArrayList<>(podProcesses);
        if (socket != null) {
            shims().forEach(pid -> ProcessHandle.of(pid).ifPresent(leftovers::add));
        }
        leftovers.forEach(ProcessHandle::destroyForcibly);
        if (containerd != null) {
            containerd.destroy();
            if (!containerd.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                containerd.destroyForcibly().waitFor();
            }
        }
        if (tmp == null) {
            return;
        }
        List<String> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String point = line.split(" ")[4];
            if (point.startsWith(tmp + "/")) {
                mounts.add(point);
            }
        }
        mounts.sort((a, b) -> b.length() - a.length());
        for (String m : mounts) {
            new ProcessBuilder("umount", "-l", m).inheritIO().start().waitFor();
        }
        new ProcessBuilder(podman("system", "reset", "-f")).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        Host.removeTree(ShimPaths.stateRoot(socket.toString(), NAMESPACE).getParent());
        removeCgroupParent();
        Host.removeTree(tmp);
    }

    @Test
    void aHostNetworkPodOfTwoContainersRunsInOneShimAndLeavesNothing() throws Exception {
        long began = System.nanoTime();
        RuntimeServiceBlockingStub rt = cri.runtime(120);
        PodSandboxConfig pod = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("cri-test").setNamespace("jsyd")
                        .setUid(UUID.randomUUID().toString()))
                .setLogDirectory(tmp.resolve("logs").toString())
                .putAnnotations(POD_ANNOTATION, "from the pod")
                .putAnnotations(OTHER_ANNOTATION, "dropped")
                // the host's network: no CNI here
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(CGROUP_PARENT)
                        .setSecurityContext(LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(
                                NamespaceOption.newBuilder().setNetwork(NamespaceMode.NODE)
                                        .setPid(NamespaceMode.CONTAINER).setIpc(NamespaceMode.POD))))
                .build();

        String podId = rt.runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(pod).setRuntimeHandler(HANDLER)
                .build()).getPodSandboxId();
        PodSandboxStatusResponse podStatus = rt.podSandboxStatus(PodSandboxStatusRequest.newBuilder()
                .setPodSandboxId(podId).setVerbose(true).build());
        assertEquals(PodSandboxState.SANDBOX_READY, podStatus.getStatus().getState());
        assertEquals(HANDLER, podStatus.getStatus().getRuntimeHandler());
        long sandboxPid = pid(podStatus.getInfoMap(), "sandbox " + podId);
        seen(sandboxPid);

        // a: its own pid namespace (the kubelet's default), the resources the kubelet gives
        // a best-effort container with a memory limit, and a status of its own on SIGTERM;
        // b: the pod's pid namespace (shareProcessNamespace), deaf to SIGTERM, so killed
        // when StopContainer's timeout runs out
        String a = createContainer(rt, podId, pod, "a", NamespaceMode.CONTAINER, LinuxContainerResources.newBuilder()
                        .setCpuShares(2).setMemoryLimitInBytes(MEMORY_LIMIT).setOomScoreAdj(1000).build(),
                "echo started a; trap 'echo bye; exit 42' TERM; while :; do sleep 0.1; done");
        String b = createContainer(rt, podId, pod, "b", NamespaceMode.POD, LinuxContainerResources.getDefaultInstance(),
                "trap '' TERM; echo started b; exec sleep 1000");
        for (String id : List.of(a, b)) {
            rt.startContainer(StartContainerRequest.newBuilder().setContainerId(id).build());
        }
        for (String id : List.of(a, b)) {
            await(Duration.ofSeconds(30), () -> status(id).getStatus().getState() == ContainerState.CONTAINER_RUNNING,
                    id + " RUNNING");
        }
        long pidA = pid(status(a).getInfoMap(), "container a");
        long pidB = pid(status(b).getInfoMap(), "container b");
        seen(pidA);
        seen(pidB);

        // one shim serves the pod: the parent of the sandbox and of both containers
        List<Long> shims = shims();
        assertEquals(1, shims.size(), "shim processes of this containerd: " + shims);
        long shim = shims.getFirst();
        for (long pid : List.of(sandboxPid, pidA, pidB)) {
            assertEquals(shim, Host.parent(pid).orElse(-1L), "the parent of " + pid + " " + Host.cmdline(pid));
        }

        // the pod's cgroup parent and a's resources, as containerd wrote them into the spec
        Map<String, String> cgroupsA = cgroupPaths(Path.of("/proc", Long.toString(pidA), "cgroup"));
        String memoryA = cgroupsA.get("memory");
        assertEquals(CGROUP_PARENT + "/" + a, memoryA, "a's memory cgroup");
        assertEquals(Long.toString(MEMORY_LIMIT), Files.readString(Path.of("/sys/fs/cgroup/memory" + memoryA,
                "memory.limit_in_bytes")).strip());
        assertEquals("2", Files.readString(Path.of("/sys/fs/cgroup/cpu" + cgroupsA.get("cpu"),
                "cpu.shares")).strip());
        assertEquals("1000", Files.readString(Path.of("/proc", Long.toString(pidA), "oom_score_adj")).strip());
        assertEquals(CGROUP_PARENT + "/" + podId,
                cgroupPaths(Path.of("/proc", Long.toString(sandboxPid), "cgroup")).get("memory"), "the sandbox's");

        ExecSyncResponse exec = rt.execSync(ExecSyncRequest.newBuilder().setContainerId(a).setTimeout(60)
                .addAllCmd(List.of("sh", "-c", "echo out $(cat /proc/1/comm); echo err >&2; exit 3")).build());
        assertEquals(3, exec.getExitCode(), "ExecSync's status; stderr: " + exec.getStderr().toStringUtf8());
        assertEquals("out sh\n", exec.getStdout().toStringUtf8());
        assertEquals("err\n", exec.getStderr().toStringUtf8());
        // an exec past ExecSync's timeout: containerd has the shim kill it, and it is gone
        // (the shim's children are the pod's inits again)
        var timedOut = org.junit.jupiter.api.Assertions.assertThrows(io.grpc.StatusRuntimeException.class,
                () -> rt.execSync(ExecSyncRequest.newBuilder().setContainerId(a).setTimeout(1)
                        .addAllCmd(List.of("sleep", "100")).build()));
        assertTrue(String.valueOf(timedOut.getStatus().getDescription()).contains("timeout"), timedOut.toString());
        await(Duration.ofSeconds(10), () -> ProcessHandle.of(shim).orElseThrow().children().map(ProcessHandle::pid)
                .sorted().toList().equals(Stream.of(sandboxPid, pidA, pidB).sorted().toList()),
                () -> "the shim's children to be the pod's inits only, not " + ProcessHandle.of(shim).orElseThrow()
                        .children().map(h -> h.pid() + " " + Host.cmdline(h.pid())).toList());
        // the host's network namespace (NODE), the pod's ipc and pid namespaces (joined by path)
        exec = rt.execSync(ExecSyncRequest.newBuilder().setContainerId(b).setTimeout(60)
                .addAllCmd(List.of("sh", "-c", "for n in net ipc pid; do readlink /proc/self/ns/$n; done")).build());
        assertEquals(0, exec.getExitCode(), "readlink: " + exec.getStderr().toStringUtf8());
        assertEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")) + "\n"
                + Files.readSymbolicLink(Path.of("/proc", Long.toString(sandboxPid), "ns/ipc")) + "\n"
                + Files.readSymbolicLink(Path.of("/proc", Long.toString(sandboxPid), "ns/pid")) + "\n",
                exec.getStdout().toStringUtf8());

        // what containerd gave the shim: the annotations its allow-lists pass (the pod's
        // to the sandbox and to every container, a container's to itself), not the others,
        // beside the CRI's own (the container type and the sandbox id the shim groups by)
        String sandboxSpec = bundleConfig(podId);
        assertTrue(sandboxSpec.contains(annotation(POD_ANNOTATION, "from the pod")), "pod annotation in " + sandboxSpec);
        assertTrue(sandboxSpec.contains(annotation("io.kubernetes.cri.container-type", "sandbox")), sandboxSpec);
        assertTrue(sandboxSpec.contains(annotation("io.kubernetes.cri.sandbox-id", podId)), sandboxSpec);
        String specA = bundleConfig(a);
        assertTrue(specA.contains(annotation(POD_ANNOTATION, "from the pod")), "pod annotation in " + specA);
        assertTrue(specA.contains(annotation(CONTAINER_ANNOTATION, "a")), "container annotation in " + specA);
        assertTrue(specA.contains(annotation("io.kubernetes.cri.container-type", "container")), specA);
        assertTrue(specA.contains(annotation("io.kubernetes.cri.sandbox-id", podId)), specA);
        for (String spec : List.of(sandboxSpec, specA)) {
            assertFalse(spec.contains(OTHER_ANNOTATION), "an annotation no allow-list names reached " + spec);
        }
        List<Path> cgroups = new ArrayList<>();
        for (long pid : List.of(sandboxPid, pidA, pidB)) {
            cgroups.addAll(ownCgroups(pid));
        }

        rt.stopContainer(StopContainerRequest.newBuilder().setContainerId(a).setTimeout(30).build());
        rt.stopContainer(StopContainerRequest.newBuilder().setContainerId(b).setTimeout(1).build());
        for (var expect : Map.of(a, 42, b, 137).entrySet()) {
            var s = status(expect.getKey()).getStatus();
            assertEquals(ContainerState.CONTAINER_EXITED, s.getState(), expect.getKey());
            assertEquals((int) expect.getValue(), s.getExitCode(), expect.getKey() + "'s exit code (" + s.getReason() + ")");
        }
        // stdout through the shim's fifos into CRI's log files
        String logA = Files.readString(tmp.resolve("logs/a.log"));
        assertTrue(logA.contains(" stdout F started a\n") && logA.contains(" stdout F bye\n"), "a's log: " + logA);
        assertTrue(Files.readString(tmp.resolve("logs/b.log")).contains(" stdout F started b\n"), "b's log");

        for (String id : List.of(a, b)) {
            rt.removeContainer(RemoveContainerRequest.newBuilder().setContainerId(id).build());
        }
        assertEquals(0, rt.listContainers(ListContainersRequest.newBuilder()
                .setFilter(ContainerFilter.newBuilder().setPodSandboxId(podId)).build()).getContainersCount());
        assertTrue(Host.alive(shim), "the pod's shim left while its sandbox is still there");
        // containerd closed its connections for a and b and ran `containerd-shim-jsyd-v2
        // delete` for each (its clean-up after every task in 1.6): the pod's shim still
        // takes a new container, as when the kubelet restarts one
        String c = createContainer(rt, podId, pod, "c", NamespaceMode.CONTAINER,
                LinuxContainerResources.getDefaultInstance(), "exec sleep 1000");
        rt.startContainer(StartContainerRequest.newBuilder().setContainerId(c).build());
        long pidC = pid(status(c).getInfoMap(), "container c");
        seen(pidC);
        assertEquals(shim, Host.parent(pidC).orElse(-1L), "the parent of c " + Host.cmdline(pidC));
        cgroups.addAll(ownCgroups(pidC));
        // no grace period: SIGKILL at once
        rt.stopContainer(StopContainerRequest.newBuilder().setContainerId(c).setTimeout(0).build());
        assertEquals(137, status(c).getStatus().getExitCode(), "c's exit code");
        rt.removeContainer(RemoveContainerRequest.newBuilder().setContainerId(c).build());

        rt.stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
        assertEquals(PodSandboxState.SANDBOX_NOTREADY, rt.podSandboxStatus(PodSandboxStatusRequest.newBuilder()
                .setPodSandboxId(podId).build()).getStatus().getState());
        rt.removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
        assertEquals(0, rt.listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsCount());

        // nothing left: no shim, no process of the pod, no task, container, bundle or state
        await(Duration.ofSeconds(30), () -> shims().isEmpty() && Stream.of(shim, sandboxPid, pidA, pidB, pidC)
                .noneMatch(Host::alive), "the shim and the pod's processes to be gone");
        long millis = (System.nanoTime() - began) / 1_000_000;
        assertEquals("", ctr("tasks", "ls", "-q").strip(), "containerd's tasks");
        assertEquals("", ctr("containers", "ls", "-q").strip(), "containerd's containers");
        assertFalse(Files.exists(ShimPaths.socket(socket.toString(), NAMESPACE, podId)), "the shim's socket");
        assertEquals(List.of(), entries(tmp.resolve("state/io.containerd.runtime.v2.task").resolve(NAMESPACE)),
                "bundles left");
        assertEquals(List.of(), entries(ShimPaths.stateRoot(socket.toString(), NAMESPACE)),
                "the shim's jsyd-oci state left");
        assertEquals(List.of(), cgroups.stream().filter(Files::exists).toList(), "cgroups left");
        System.err.printf("CRI: a pod of 3 containers (2 at once), RunPodSandbox to RemovePodSandbox and the shim gone: %d ms%n",
                millis);
    }

    private static String createContainer(RuntimeServiceBlockingStub rt, String podId, PodSandboxConfig pod,
            String name, NamespaceMode pid, LinuxContainerResources resources, String script) {
        return rt.createContainer(CreateContainerRequest.newBuilder().setPodSandboxId(podId).setSandboxConfig(pod)
                .setConfig(ContainerConfig.newBuilder()
                        .setMetadata(ContainerMetadata.newBuilder().setName(name))
                        .setImage(ImageSpec.newBuilder().setImage(BUSYBOX_IMAGE))
                        .addAllCommand(List.of("sh", "-c", script))
                        .setLogPath(name + ".log")
                        .setLinux(LinuxContainerConfig.newBuilder().setResources(resources).setSecurityContext(
                                LinuxContainerSecurityContext.newBuilder().setNamespaceOptions(NamespaceOption
                                        .newBuilder().setNetwork(NamespaceMode.NODE).setPid(pid)
                                        .setIpc(NamespaceMode.POD))))
                        .putAnnotations(CONTAINER_ANNOTATION, name)
                        .putAnnotations(OTHER_ANNOTATION, "dropped"))
                .build()).getContainerId();
    }

    /**
     * The pod's cgroup parent in every hierarchy: the runtime made it for the pod's
     * cgroups and, like runc, leaves it to its owner (the kubelet; here the test).
     * A cgroup goes with rmdir once it has no children; its files go with it.
     */
    private static void removeCgroupParent() throws IOException {
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies.toList()) {
                Path parent = h.resolve(CGROUP_PARENT.substring(1));
                if (!Files.isDirectory(parent, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try (Stream<Path> walk = Files.walk(parent)) {
                    for (Path d : walk.filter(Files::isDirectory)
                            .sorted((x, y) -> y.getNameCount() - x.getNameCount()).toList()) {
                        try {
                            Files.delete(d);
                        } catch (IOException e) {
                            System.err.println("CriTest: cannot remove cgroup " + d + ": " + e);
                        }
                    }
                }
            }
        }
    }

    private static void seen(long pid) {
        ProcessHandle.of(pid).ifPresent(podProcesses::add);
    }

    private static String bundleConfig(String id) throws IOException {
        return Files.readString(tmp.resolve("state/io.containerd.runtime.v2.task").resolve(NAMESPACE).resolve(id)
                .resolve("config.json"));
    }

    /** An annotation as containerd's compact JSON writes it. */
    private static String annotation(String key, String value) {
        return "\"" + key + "\":\"" + value + "\"";
    }

    /**
     * The cgroup directories of {@code pid} that are not this test's own (a process
     * left in the cgroup it was started in has none of its own to remove).
     */
    private static List<Path> ownCgroups(long pid) throws IOException {
        Map<String, String> mine = cgroupPaths(Path.of("/proc/self/cgroup"));
        List<Path> dirs = new ArrayList<>();
        for (var e : cgroupPaths(Path.of("/proc", Long.toString(pid), "cgroup")).entrySet()) {
            // v1 hierarchies are mounted by their controller list, the v2 one at unified/ on this hybrid host
            String hierarchy = e.getKey().isEmpty() ? "unified" : e.getKey().replace("name=", "");
            Path mount = Path.of("/sys/fs/cgroup", hierarchy);
            if (!e.getValue().equals("/") && !e.getValue().equals(mine.get(e.getKey())) && Files.isDirectory(mount)) {
                dirs.add(mount.resolve(e.getValue().substring(1)));
            }
        }
        assertFalse(dirs.isEmpty(), "no cgroup of its own for " + pid);
        return dirs;
    }

    /** /proc/PID/cgroup as controller list -> path. */
    private static Map<String, String> cgroupPaths(Path file) throws IOException {
        Map<String, String> paths = new java.util.HashMap<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.split(":", 3);
            paths.put(f[1], f[2]);
        }
        return paths;
    }

    private static ContainerStatusResponse status(String id) {
        return cri.runtime(30).containerStatus(ContainerStatusRequest.newBuilder().setContainerId(id).setVerbose(true)
                .build());
    }

    /** The pid in the verbose "info" JSON of a status response. */
    private static long pid(Map<String, String> info, String what) {
        Matcher m = PID.matcher(info.getOrDefault("info", ""));
        if (!m.find()) {
            fail("no pid for " + what + " in " + info);
        }
        return Long.parseLong(m.group(1));
    }

    /** The serving shims of this containerd (their command lines name its address). */
    private static List<Long> shims() {
        return Host.processesWith("io.jsyd.shim.Main", socket.toString());
    }

    private static String ctr(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ctr", "--address", socket.toString(), "-n", NAMESPACE));
        cmd.addAll(List.of(args));
        return Host.run(cmd);
    }

    private static List<String> entries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static List<String> podman(String... args) {
        List<String> cmd = new ArrayList<>(List.of("podman", "--root", tmp.resolve("podman").toString(),
                "--runroot", tmp.resolve("podman-run").toString(), "--tmpdir", tmp.resolve("podman-tmp").toString(),
                "--storage-driver", "vfs"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * Two single-layer images from files on this machine, as OCI archives for
     * {@code ctr images import}: busybox-static with its applets for the containers,
     * and a static pause program (src/test/resources/pause.c) for the sandbox.
     */
    private static void buildImages() throws IOException {
        Path busybox = tmp.resolve("busybox-rootfs");
        for (String d : List.of("bin", "etc", "proc", "sys", "dev", "tmp", "root")) {
            Files.createDirectories(busybox.resolve(d));
        }
        Files.copy(Path.of("/bin/busybox"), busybox.resolve("bin/busybox"));
        for (String applet : Host.run(List.of("/bin/busybox", "--list")).split("\n")) {
            if (!applet.isBlank() && !applet.equals("busybox")) {
                Files.createSymbolicLink(busybox.resolve("bin").resolve(applet.strip()), Path.of("busybox"));
            }
        }
        Files.writeString(busybox.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");

        Path pause = tmp.resolve("pause-rootfs");
        for (String d : List.of("proc", "sys", "dev", "etc")) {
            Files.createDirectories(pause.resolve(d));
        }
        Path source = tmp.resolve("pause.c");
        try (InputStream in = CriTest.class.getResourceAsStream("/pause.c")) {
            assertTrue(in != null, "pause.c is not on the test class path");
            Files.copy(in, source);
        }
        Host.run(List.of("gcc", "-static", "-O2", "-Wall", "-Werror", "-o", pause.resolve("pause").toString(),
                source.toString()));

        for (String[] image : List.of(new String[] {"busybox", BUSYBOX_IMAGE, "CMD [\"/bin/sh\"]"},
                new String[] {"pause", PAUSE_IMAGE, "ENTRYPOINT [\"/pause\"]"})) {
            Path layer = tmp.resolve(image[0] + "-layer.tar");
            Host.run(List.of("tar", "-C", tmp.resolve(image[0] + "-rootfs").toString(), "-cf", layer.toString(), "."));
            Host.run(podman("import", "--change", image[2], layer.toString(), image[1]));
            Host.run(podman("save", "--format", "oci-archive", "-o", tmp.resolve(image[0] + ".tar").toString(),
                    image[1]));
        }
    }

    /**
     * containerd-shim-jsyd-v2 on containerd's PATH: this JVM's java and class path
     * (the reactor's shim classes) with the options of bin/containerd-shim-jsyd-v2.in.
     */
    private static void writeShimLauncher() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path launcher = bin.resolve("containerd-shim-jsyd-v2");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("java.class.path");
        for (String s : List.of(java, classpath, launcher.toString())) {
            assertFalse(s.contains("'"), "a quote in " + s);
        }
        Files.writeString(launcher, """
                #!/bin/sh
                unset JAVA_TOOL_OPTIONS JDK_JAVA_OPTIONS _JAVA_OPTIONS
                exec '%s' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xmn8m -Xmx256m \\
                	--enable-native-access=ALL-UNNAMED '-Djsyd.shim.launcher=%s' \\
                	-cp '%s' io.jsyd.shim.Main "$@"
                """.formatted(java, launcher, classpath));
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /**
     * containerd's config: its own root, state and sockets; the CRI plugin with the
     * {@code jsyd} runtime (pod and container annotations under org.jsyd. passed to
     * the OCI spec; the only runtime, so the default: the runc one of containerd's
 * built-in config is gone once a config names runtimes), the local pause image as sandbox image, the native snapshotter
     * the images were unpacked for, empty CNI directories, no TCP service.
     * restrict_oom_score_adj: root here lacks CAP_SYS_RESOURCE, so the sandbox's
     * oom_score_adj of -998 could not be set; it is capped at containerd's own.
     */
    private static Path writeConfig() throws IOException {
        Path config = tmp.resolve("config.toml");
        Files.createDirectories(tmp.resolve("cni/bin"));
        Files.createDirectories(tmp.resolve("cni/conf"));
        Files.writeString(config, """
                version = 2
                root = "%1$s/root"
                state = "%1$s/state"
                [grpc]
                  address = "%1$s/containerd.sock"
                [ttrpc]
                  address = "%1$s/containerd.sock.ttrpc"
                [debug]
                  address = "%1$s/debug.sock"
                [plugins."io.containerd.grpc.v1.cri"]
                  disable_tcp_service = true
                  stream_server_address = "127.0.0.1"
                  stream_server_port = "0"
                  sandbox_image = "%2$s"
                  restrict_oom_score_adj = true
                  [plugins."io.containerd.grpc.v1.cri".containerd]
                    snapshotter = "native"
                    default_runtime_name = "jsyd"
                    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.jsyd]
                      runtime_type = "io.containerd.jsyd.v2"
                      pod_annotations = ["org.jsyd.*"]
                      container_annotations = ["org.jsyd.*"]
                  [plugins."io.containerd.grpc.v1.cri".cni]
                    bin_dir = "%1$s/cni/bin"
                    conf_dir = "%1$s/cni/conf"
                """.formatted(tmp, PAUSE_IMAGE));
        return config;
    }

    private static boolean onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    private static String log() {
        try {
            // its warnings and errors, then its last lines
            List<String> lines = Files.readAllLines(tmp.resolve("containerd.log"), StandardCharsets.UTF_8);
            List<String> picked = new ArrayList<>(lines.stream()
                    .filter(l -> l.contains("level=error") || l.contains("level=warning")).toList());
            picked.add("...");
            picked.addAll(lines.subList(Math.max(0, lines.size() - 15), lines.size()));
            return String.join("\n", picked);
        } catch (IOException e) {
            return "(no containerd log: " + e + ")";
        }
    }

    private static void await(Duration limit, BooleanSupplier done, String what) throws InterruptedException {
        await(limit, done, () -> what);
    }

    /** Polls {@code done} until it holds; {@code what} is asked only when the wait fails. */
    private static void await(Duration limit, BooleanSupplier done, Supplier<String> what)
            throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("waited " + limit + " for " + what.get() + "; containerd's log:\n" + log());
            }
            Thread.sleep(50);
        }
    }
}
