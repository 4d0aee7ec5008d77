package dev.berth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The rules of docs/ARCHITECTURE.md as a test: which package of berth may import which, where the libraries that bind
 * berth to a technology may be used, and that the document's "may import" table says the same as this one.
 */
class ArchitectureTest {
    private static final String ROOT = "dev.berth";

    /**
     * Each package (relative to dev.berth) and the packages of berth it may import. An entry "package:Class" allows
     * that one class of the package and nothing else of it. The root package wires everything and is not listed.
     */
    static final Map<String, Set<String>> MAY_IMPORT = rules(
            "oci", "",
            "config", "oci",
            "storage", "",
            "registry", "storage oci",
            "http", "registry auth oci config events storage:StorageUnavailableException",
            "http.api", "admin jobs retention auth registry oci config events http:Acts http:Requests http:RequestClient http:SameOrigin http:RepositoryAccess http:CredentialsReader",
            "http.ui", "auth sso http:Acts http:SameOrigin http:RequestClient http:CredentialsReader",
            "admin", "registry mirror budget oci trust",
            "jobs", "mirror registry cluster config oci",
            "upstream", "oci config",
            "mirror", "registry upstream config oci budget fleet",
            "budget", "registry storage oci config cluster",
            "retention", "registry oci config cluster",
            "cluster", "storage",
            "events", "config storage:FileQueue",
            "fleet", "registry oci config upstream:UpstreamBlob auth:ClusterSecret"
                    + " http:OciPath http:Route http:BlobBody http:EveryMethod",
            "auth", "config oci storage",
            "sso", "auth config",
            "observe", "http:RequestEvents fleet:PeerEvents events:DeliveryEvents mirror upstream budget jobs trust oci",
            "trust", "registry config oci",
            "cli", "auth config");

    /**
     * Libraries that tie berth to one technology, and the only packages that may use them. {@code fleet} serves the
     * peer wire ({@code PeerApi}) beside the client of its other end, so that the wire changes in one package.
     */
    static final Map<String, Set<String>> LIBRARY_USERS = Map.of(
            "okhttp3", Set.of("upstream", "sso", ""),
            "com.nimbusds", Set.of("sso"),
            "okio", Set.of("upstream"),
            "io.helidon.webserver", Set.of("http", "http.api", "http.ui", "observe", "fleet", ""),
            "io.helidon.config", Set.of("config"),
            "io.helidon.metrics", Set.of("observe"),
            "io.helidon.health", Set.of("observe"),
            "software.amazon.awssdk", Set.of("storage"),
            "com.unboundid", Set.of("auth"));

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    @Test
    void packagesImportOnlyWhatTheTableAllows() {
        List<String> forbidden = new ArrayList<>();
        for (JavaClass origin : MAIN) {
            String from = relative(origin.getPackageName());
            if (from.isEmpty()) {
                continue;
            }
            for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
                JavaClass target = dependency.getTargetClass();
                String to = relative(target.getPackageName());
                if (target.getPackageName().startsWith(ROOT) && !to.equals(from) && !allowed(from, to, target)) {
                    forbidden.add(origin.getName() + " -> " + target.getName());
                }
            }
        }
        assertEquals(List.of(), distinct(forbidden), "imports that docs/ARCHITECTURE.md's table does not allow");
    }

    @Test
    void librariesStayInTheirPackages() {
        List<String> forbidden = new ArrayList<>();
        for (JavaClass origin : MAIN) {
            String from = relative(origin.getPackageName());
            for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
                String target = dependency.getTargetClass().getPackageName();
                LIBRARY_USERS.forEach((library, users) -> {
                    if ((target.equals(library) || target.startsWith(library + ".")) && !users.contains(from)) {
                        forbidden.add(origin.getName() + " -> " + dependency.getTargetClass().getName());
                    }
                });
            }
        }
        assertEquals(List.of(), distinct(forbidden), "library use outside the packages allowed to bind to it");
    }

    @Test
    void everyPackageHasARule() {
        Set<String> packages = MAIN.stream().map(c -> relative(c.getPackageName())).filter(p -> !p.isEmpty())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(MAY_IMPORT.keySet()), packages,
                "a new package needs its row here and in docs/ARCHITECTURE.md's table");
    }

    @Test
    void theDocumentsTableSaysTheSame() throws IOException {
        String doc = Files.readString(Path.of("docs/ARCHITECTURE.md"));
        Map<String, Set<String>> documented = new TreeMap<>();
        Matcher row = Pattern.compile("(?m)^\\| `([a-z.]+)` \\|[^|]*\\|([^|]*)\\|\\s*$").matcher(doc);
        while (row.find()) {
            String from = row.group(1);
            Set<String> named = new TreeSet<>();
            Matcher word = Pattern.compile("[a-z]+(?:\\.[a-z]+)?").matcher(row.group(2));
            while (word.find()) {
                if (MAY_IMPORT.containsKey(word.group()) && !word.group().equals(from)) {
                    named.add(word.group());
                }
            }
            documented.put(from, named);
        }
        Map<String, Set<String>> tested = new TreeMap<>();
        MAY_IMPORT.forEach((from, allowed) -> tested.put(from, allowed.stream().map(a -> a.split(":")[0])
                .collect(Collectors.toCollection(TreeSet::new))));
        assertEquals(tested, documented, "docs/ARCHITECTURE.md's \"may import\" column and MAY_IMPORT differ");
    }

    private static boolean allowed(String from, String to, JavaClass target) {
        for (String entry : MAY_IMPORT.getOrDefault(from, Set.of())) {
            String[] parts = entry.split(":");
            if (parts[0].equals(to) && (parts.length == 1 || target.getSimpleName().equals(parts[1])
                    || target.getName().startsWith(ROOT + "." + to + "." + parts[1] + "$"))) {
                return true;
            }
        }
        return false;
    }

    private static String relative(String packageName) {
        return packageName.equals(ROOT) ? "" : packageName.startsWith(ROOT + ".")
                ? packageName.substring(ROOT.length() + 1) : packageName;
    }

    private static List<String> distinct(List<String> lines) {
        return lines.stream().distinct().sorted().toList();
    }

    private static Map<String, Set<String>> rules(String... pairs) {
        Map<String, Set<String>> rules = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            rules.put(pairs[i], pairs[i + 1].isEmpty() ? Set.of() : Set.of(pairs[i + 1].split(" ")));
        }
        return rules;
    }
}
