package io.jsyd.oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Commands are functions of a request: apart from the process entry point, no
 * compiled front-end code touches the JVM's own stdio, environment or exit. A
 * bytecode scan also catches static imports and method references.
 */
class NoProcessGlobalsTest {
    private static final Set<String> SYSTEM_FIELDS = Set.of("in", "out", "err");
    private static final Set<String> SYSTEM_METHODS = Set.of("exit", "getenv", "console", "setIn", "setOut", "setErr",
            "inheritedChannel");
    private static final Set<String> RUNTIME_METHODS = Set.of("exit", "halt");

    /**
     * Main is the entry point; Request.ofProcess builds the one request from the
     * process; AotTraining is the entry point of the AOT cache's training run,
     * which reports on stderr and is never a command.
     */
    private static boolean allowed(String className, String method) {
        return className.equals("io/jsyd/oci/cli/Main")
                || className.equals("io/jsyd/oci/cli/AotTraining")
                || className.equals("io/jsyd/oci/cli/Request") && method.equals("ofProcess");
    }

    static List<String> uses(Path classFile) throws IOException {
        ClassModel model = ClassFile.of().parse(Files.readAllBytes(classFile));
        String className = model.thisClass().asInternalName();
        List<String> found = new ArrayList<>();
        for (MethodModel method : model.methods()) {
            String methodName = method.methodName().stringValue();
            if (method.code().isEmpty() || allowed(className, methodName)) {
                continue;
            }
            for (CodeElement e : method.code().get()) {
                String use = switch (e) {
                    case FieldInstruction f when f.owner().asInternalName().equals("java/lang/System")
                            && SYSTEM_FIELDS.contains(f.name().stringValue()) -> "System." + f.name().stringValue();
                    case InvokeInstruction i when i.owner().asInternalName().equals("java/lang/System")
                            && SYSTEM_METHODS.contains(i.name().stringValue()) -> "System." + i.name().stringValue();
                    case InvokeInstruction i when i.owner().asInternalName().equals("java/lang/Runtime")
                            && RUNTIME_METHODS.contains(i.name().stringValue()) -> "Runtime." + i.name().stringValue();
                    default -> null;
                };
                if (use != null) {
                    found.add(className + "." + methodName + ": " + use);
                }
            }
        }
        return found;
    }

    private static Path classes() throws Exception {
        return Path.of(JsydOci.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void frontEndCodeUsesOnlyTheRequest() throws Exception {
        Path root = classes().resolve("io/jsyd/oci");
        List<String> violations = new ArrayList<>();
        int scanned = 0;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                violations.addAll(uses(f));
                scanned++;
            }
        }
        assertTrue(scanned > 50, "scanned only " + scanned + " classes under " + root);
        assertEquals(List.of(), violations);
    }

    @Test
    void theScanSeesWhatMainDoes() throws Exception {
        // Main is exempt above; scanned with the rules of any other class it must be caught.
        ClassModel model = ClassFile.of().parse(Files.readAllBytes(classes().resolve("io/jsyd/oci/cli/Main.class")));
        List<String> names = new ArrayList<>();
        for (MethodModel m : model.methods()) {
            for (CodeElement e : m.code().orElseThrow()) {
                if (e instanceof FieldInstruction f && f.owner().asInternalName().equals("java/lang/System")) {
                    names.add(f.name().stringValue());
                } else if (e instanceof InvokeInstruction i && (i.owner().asInternalName().equals("java/lang/System")
                        || i.owner().asInternalName().equals("java/lang/Runtime"))) {
                    names.add(i.name().stringValue());
                }
            }
        }
        assertTrue(names.containsAll(List.of("out", "err", "halt")), names.toString());
    }
}
