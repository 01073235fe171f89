#nullable enable
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Marks one version requirement of an ELF64 shared library WEAK (VER_FLG_WEAK in its .gnu.version_r), so the dynamic
/// loader only warns (under LD_DEBUG) instead of refusing to load when the system library lacks that version.
/// Why: TorchSharp 0.107's libLibTorchSharp.so is linked against GCC 13's libstdc++ and so requires GLIBCXX_3.4.32,
/// which Debian 12, RHEL 9 and Ubuntu 22.04 lack (3.4.30). The only symbol of that version,
/// std::ios_base_library_init, is referenced by no relocation: nothing ever binds to it, so the requirement is
/// nominal. The file is rewritten under a new inode (temporary name, then rename) so a hard link into the NuGet cache
/// is never modified; patching twice changes nothing.
/// </summary>
public sealed class ElfWeakVersionNeed : Task
{
    [Required] public string File { get; set; } = "";
    [Required] public string Version { get; set; } = "";

    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    public override bool Execute()
    {
        if (!System.IO.File.Exists(File)) return true;
        byte[] elf = System.IO.File.ReadAllBytes(File);
        string? error = Patch(elf, Version, out bool changed);
        if (error is not null) { Log.LogError($"{File}: {error}"); return false; }
        if (!changed) return true;
        string tmp = File + ".weak-tmp";
        System.IO.File.WriteAllBytes(tmp, elf);
        // netstandard2.0 (what inline tasks compile against) has no overwriting Move: Replace swaps inodes atomically.
        System.IO.File.Replace(tmp, File, null);
        Log.LogMessage(MessageImportance.High, $"{Path.GetFileName(File)}: version requirement {Version} marked weak");
        return true;
    }

    /// <summary>Sets VER_FLG_WEAK on every Vernaux naming <paramref name="version"/>; null or the reason it could not.</summary>
    public static string? Patch(byte[] elf, string version, out bool changed)
    {
        changed = false;
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            return "not an ELF file";
        if (elf[4] != 2 || elf[5] != 1) return "not a little-endian ELF64 file";
        long shoff = (long)BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A), shnum = BitConverter.ToUInt16(elf, 0x3C);
        bool found = false;
        for (int s = 0; s < shnum; s++)
        {
            long sh = shoff + (long)s * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
            long offset = (long)BitConverter.ToUInt64(elf, (int)sh + 0x18);
            int link = (int)BitConverter.ToUInt32(elf, (int)sh + 0x28), count = (int)BitConverter.ToUInt32(elf, (int)sh + 0x2C);
            long strtab = (long)BitConverter.ToUInt64(elf, (int)(shoff + (long)link * shentsize) + 0x18);
            long vn = offset;
            for (int i = 0; i < count; i++)
            {
                int auxCount = BitConverter.ToUInt16(elf, (int)vn + 2);
                long aux = vn + BitConverter.ToUInt32(elf, (int)vn + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    long nameAt = strtab + BitConverter.ToUInt32(elf, (int)aux + 8);
                    int end = Array.IndexOf(elf, (byte)0, (int)nameAt);
                    if (Encoding.ASCII.GetString(elf, (int)nameAt, end - (int)nameAt) == version)
                    {
                        found = true;
                        ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                        if ((flags & VerFlgWeak) == 0)
                        {
                            flags |= VerFlgWeak;
                            elf[aux + 4] = (byte)flags;
                            elf[aux + 5] = (byte)(flags >> 8);
                            changed = true;
                        }
                    }
                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }
                vn += BitConverter.ToUInt32(elf, (int)vn + 12);
            }
        }
        return found ? null : $"no version requirement {version} (has the package changed? check `readelf -V`)";
    }
}
