package dev.berth.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GrammarTest {
    static final String HEX = "0123456789abcdef".repeat(4);

    @Test
    void validNames() {
        for (String name : List.of("a", "library/busybox", "a-b/c.d/e__f", "x0/y--z", "ghcr.io/org/app")) {
            assertEquals(name, RepoName.of(name).value());
        }
    }

    @Test
    void invalidNames() {
        for (String name : List.of("", "A", "a/", "/a", "a//b", "a/../b", "..", "a/.b", "_a", "a_", "a%2fb",
                "a b", "a/b\n", "a".repeat(256))) {
            RegistryException e = assertThrows(RegistryException.class, () -> RepoName.of(name), name);
            assertEquals(OciError.NAME_INVALID, e.error());
        }
    }

    @Test
    void errorsQuoteAtMostAHundredCharactersOfWhatWasSent() {
        String quoted = "A".repeat(100) + "...";
        assertEquals("invalid repository name: " + quoted,
                assertThrows(RegistryException.class, () -> RepoName.of("A".repeat(300))).getMessage());
        assertEquals("invalid tag: " + quoted,
                assertThrows(RegistryException.class, () -> new Reference.Tag("A".repeat(300))).getMessage());
        assertEquals("invalid digest: (none)",
                assertThrows(RegistryException.class, () -> Digest.parse(null)).getMessage());
    }

    @Test
    void digests() {
        assertEquals("sha256:" + HEX, Digest.parse("sha256:" + HEX).toString());
        assertEquals("sha512", Digest.parse("sha512:" + HEX + HEX).algorithm());
        for (String bad : List.of("sha256:" + HEX.toUpperCase(), "sha256:" + HEX.substring(1), "md5:abc",
                "sha256:../../etc", "sha256", ":" + HEX, "sha512:" + HEX)) {
            assertEquals(OciError.DIGEST_INVALID,
                    assertThrows(RegistryException.class, () -> Digest.parse(bad), bad).error());
        }
    }

    @Test
    void references() {
        assertInstanceOf(Reference.Tag.class, Reference.parse("v1.2.3_rc-1"));
        assertInstanceOf(Reference.ByDigest.class, Reference.parse("sha256:" + HEX));
        for (String bad : List.of(".v1", "-v1", "a".repeat(129), "v/1", "")) {
            assertEquals(OciError.TAG_INVALID, assertThrows(RegistryException.class, () -> Reference.parse(bad)).error());
            assertEquals(Optional.empty(), Reference.tryParse(bad), bad);
        }
        assertEquals(Optional.of(new Reference.Tag("v1")), Reference.tryParse("v1"));
        assertEquals(OciError.DIGEST_INVALID,
                assertThrows(RegistryException.class, () -> Reference.tryParse("sha256:v1")).error());
    }
}
