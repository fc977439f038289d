package io.jsyd.oci.cli.command;

import io.jsyd.oci.OciException;
import io.jsyd.oci.OciIoException;
import io.jsyd.oci.lifecycle.Update;
import io.jsyd.oci.spec.SpecReader;
import io.jsyd.oci.spec.model.LinuxResources;
import java.io.IOException;
import java.nio.file.Path;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Values stay strings here, as in runc: the update itself parses and range-checks them. */
@Command(name = "update", description = {"change a container's resource limits",
        "With -r, the limits come from a JSON file of linux.resources (or stdin: -r -) and the other flags are ignored."})
public final class UpdateCommand implements Verb {
    /** How messages name a resources document read from standard input. */
    private static final Path STDIN = Path.of("<stdin>");

    @Option(names = {"-r", "--resources"}, paramLabel = "<path>|-",
            description = "JSON file with the new resources, '-' for standard input")
    String resources;

    @Option(names = "--blkio-weight", paramLabel = "<n>", defaultValue = "0", description = "block IO weight, 10 to 1000")
    int blkioWeight;

    @Option(names = "--cpu-period", paramLabel = "<us>", description = "CFS period in microseconds (0: system default)")
    String cpuPeriod;

    @Option(names = "--cpu-quota", paramLabel = "<us>", description = "CFS quota in microseconds per period")
    String cpuQuota;

    @Option(names = "--cpu-share", paramLabel = "<n>", description = "CPU shares (weight relative to other containers)")
    String cpuShare;

    @Option(names = "--cpu-rt-period", paramLabel = "<us>", description = "realtime period in microseconds (0: system default)")
    String cpuRtPeriod;

    @Option(names = "--cpu-rt-runtime", paramLabel = "<us>", description = "realtime runtime in microseconds per period")
    String cpuRtRuntime;

    @Option(names = "--cpuset-cpus", paramLabel = "<list>", description = "CPUs to run on")
    String cpusetCpus;

    @Option(names = "--cpuset-mems", paramLabel = "<list>", description = "memory nodes to use")
    String cpusetMems;

    // Accepted and hidden as runc does: kernel memory limits are gone from the kernel.
    @Option(names = "--kernel-memory", paramLabel = "<bytes>", hidden = true)
    String kernelMemory;

    @Option(names = "--kernel-memory-tcp", paramLabel = "<bytes>", hidden = true)
    String kernelMemoryTcp;

    @Option(names = "--memory", paramLabel = "<bytes>", description = "memory limit")
    String memory;

    @Option(names = "--memory-reservation", paramLabel = "<bytes>", description = "memory soft limit")
    String memoryReservation;

    @Option(names = "--memory-swap", paramLabel = "<bytes>", description = "memory plus swap limit; -1: unlimited swap")
    String memorySwap;

    @Option(names = "--pids-limit", paramLabel = "<n>", defaultValue = "0", description = "maximum number of processes")
    long pidsLimit;

    @Option(names = "--l3-cache-schema", paramLabel = "<schema>", description = "Intel RDT/CAT L3 cache schema")
    String l3CacheSchema;

    @Option(names = "--mem-bw-schema", paramLabel = "<schema>", description = "Intel RDT/MBA memory bandwidth schema")
    String memBwSchema;

    @Parameters(index = "0", paramLabel = "<container-id>")
    String id;

    @Override
    public int run(Invocation invocation) throws OciException {
        Path root = invocation.flags().root();
        io.jsyd.oci.state.Existence.require(root, id);
        Update.Change change;
        if (resources != null) {
            SpecReader reader = new SpecReader();
            LinuxResources r;
            if (resources.equals("-")) {
                byte[] bytes;
                try {
                    // one byte past the reader's cap, so that it can say the document is too large
                    bytes = invocation.request().in().readNBytes((16 << 20) + 1);
                } catch (IOException e) {
                    throw new OciIoException("read the resources from", STDIN, e);
                }
                r = reader.readResources(STDIN, bytes);
            } else {
                r = reader.readResources(invocation.resolve(resources));
            }
            change = Update.Change.of(r);
        } else {
            change = new Update.Flags(blkioWeight, cpuPeriod, cpuQuota, cpuShare, cpuRtPeriod, cpuRtRuntime,
                    cpusetCpus, cpusetMems, kernelMemory, kernelMemoryTcp, memory, memoryReservation, memorySwap,
                    pidsLimit).change();
        }
        Update.update(root, id, change);
        return 0;
    }
}
