package dev.berth.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.config.BerthConfig;
import dev.berth.oci.NameGlob;
import dev.berth.support.ChildBerth;
import dev.berth.support.CosignSigner;
import dev.berth.support.ExternalCommand;
import dev.berth.support.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key files of {@code policy[].keys}: the three kinds cosign and the JDK make load and verify their own signatures
 * only, and a file that is missing, unreadable or holds no usable public key stops berth at start, naming the file.
 */
class TrustedKeyTest {
    @TempDir
    Path dir;

    @Test
    void ecdsaRsaAndEd25519KeysVerifyTheirOwnSignaturesOnly() {
        byte[] message = TestData.utf8("{\"critical\":{}}");
        List<CosignSigner> signers = List.of(CosignSigner.ecdsa(), CosignSigner.rsa(), CosignSigner.ed25519());
        for (CosignSigner signer : signers) {
            TrustedKey key = TrustedKey.load(signer.writePublicKey(dir.resolve("k.pub")));
            byte[] signature = Base64.getDecoder().decode(signer.sign(message));
            assertTrue(key.verifies(message, signature), key.algorithm());
            assertFalse(key.verifies(TestData.utf8("{\"critical\":{ }}"), signature), key.algorithm());
            assertFalse(key.verifies(message, new byte[] {1, 2, 3}), "a malformed signature is no signature");
            for (CosignSigner other : signers) {
                if (other != signer) {
                    assertFalse(key.verifies(message, Base64.getDecoder().decode(other.sign(message))),
                            key.algorithm() + " accepted another key's signature");
                }
            }
        }
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("cosign.pub");
        assertEquals("policy key " + missing + ": no such file",
                assertThrows(IllegalArgumentException.class, () -> TrustedKey.load(missing)).getMessage());
    }

    @Test
    void anUnreadableFileIsNamed() throws IOException {
        // A directory cannot be read as a file, whoever runs the test (root reads a file of mode 000).
        Path directory = Files.createDirectory(dir.resolve("cosign.pub"));
        String message = assertThrows(IllegalArgumentException.class, () -> TrustedKey.load(directory)).getMessage();
        assertTrue(message.startsWith("policy key " + directory + " cannot be read: "), message);
    }

    @Test
    void filesWithoutAUsablePublicKeyAreNamedWithWhatIsWrong() throws Exception {
        assertRefused("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n",
                "no -----BEGIN PUBLIC KEY----- block (an ECDSA P-256, RSA or Ed25519 public key in PEM, as"
                        + " cosign.pub)");
        assertRefused("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
                "not an ECDSA P-256, RSA or Ed25519 public key");
        KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC");
        p384.initialize(new ECGenParameterSpec("secp384r1"));
        String p384Key = Base64.getMimeEncoder().encodeToString(p384.generateKeyPair().getPublic().getEncoded());
        assertRefused("-----BEGIN PUBLIC KEY-----\n" + p384Key + "\n-----END PUBLIC KEY-----\n",
                "an ECDSA key on another curve than P-256");
        Path large = Files.write(dir.resolve("large.pub"), new byte[128 * 1024]);
        assertEquals("policy key " + large + ": not a PEM public key (larger than 64 KiB)",
                assertThrows(IllegalArgumentException.class, () -> TrustedKey.load(large)).getMessage());
    }

    @Test
    void aKeyFileNamedByTwoRulesIsReadOnceAndTheKeySetIsTheSame() {
        Path file = CosignSigner.ecdsa().writePublicKey(dir.resolve("cosign.pub"));
        BerthConfig.Policy entry = new BerthConfig.Policy(List.of(NameGlob.of("team/*")), List.of(file, file),
                BerthConfig.PolicyMode.ENFORCE);
        PolicyRules rules = PolicyRules.load(List.of(entry, entry));
        assertEquals(rules.rules().get(0).keySet(), rules.rules().get(1).keySet());
        assertTrue(rules.rules().get(0).keys().get(0) == rules.rules().get(1).keys().get(0), "read once");
    }

    @Test
    void berthDoesNotStartWithAMissingKeyAndSaysWhichExitingWithStatus2() throws IOException {
        Path missing = dir.resolve("release.pub");
        ExternalCommand.Result result = ChildBerth.runUntilExit("server: {host: 127.0.0.1, port: 0}\n"
                + "storage: {root: '" + dir.resolve("data") + "'}\n"
                + "policy:\n  - {repositories: ['team/*'], require: signature, keys: ['" + missing + "']}\n");
        assertEquals(2, result.exitCode(), result::stderr);
        assertEquals("berth: bad configuration: policy key " + missing + ": no such file\n", result.stderr());
        assertFalse(Files.exists(dir.resolve("data")), "nothing was started before the keys were read");
    }

    private void assertRefused(String pem, String why) throws IOException {
        Path file = Files.writeString(dir.resolve("bad.pub"), pem);
        assertEquals("policy key " + file + ": " + why,
                assertThrows(IllegalArgumentException.class, () -> TrustedKey.load(file)).getMessage());
    }
}
