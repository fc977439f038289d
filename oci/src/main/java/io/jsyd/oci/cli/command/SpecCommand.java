package io.jsyd.oci.cli.command;

import io.jsyd.oci.ConflictException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.OciIoException;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import io.jsyd.oci.defaults.DefaultSpec;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.oci.spec.model.Spec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "spec", description = {"write a starter config.json into the bundle directory",
        "The result runs 'sh' in ./rootfs; edit it for your image. With --rootless it suits a caller without root."})
public final class SpecCommand implements Verb {
    static final String CONFIG = "config.json";

    @Option(names = {"-b", "--bundle"}, paramLabel = "<dir>", description = "bundle directory; default: the working directory")
    String bundle;

    @Option(names = "--rootless", description = "write the variant for a container started without root")
    boolean rootless;

    @Override
    public int run(Invocation invocation) throws OciException {
        Path file = invocation.bundle(bundle).resolve(CONFIG);
        Spec spec;
        if (rootless) {
            CallerIds ids = CallerIds.ofThisProcess();
            spec = DefaultSpec.rootless(ids.uid(), ids.gid());
        } else {
            spec = DefaultSpec.standard();
        }
        byte[] json = (SpecJson.pretty(spec) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            // CREATE_NEW: the check for an existing file and the write are one step.
            Files.write(file, json, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new ConflictException("File " + CONFIG + " exists. Remove it first");
        } catch (IOException e) {
            throw new OciIoException("write", file, e);
        }
        return 0;
    }
}
