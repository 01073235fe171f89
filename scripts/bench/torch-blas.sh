# Sourced by the benchmarks that run PyTorch. Debian's python3-torch links libblas.so.3, which is the reference BLAS
# unless another is selected: a crippled anchor (OpenBLAS is ~3x faster at one thread). This selects OpenBLAS
# (libopenblas0-pthread, installed by setup.sh) and sets TORCH_BLAS to the BLAS libraries PyTorch actually maps.
select_openblas() {
  local blas=/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3
  [ -e "$blas" ] && update-alternatives --set libblas.so.3-x86_64-linux-gnu "$blas" >/dev/null 2>&1 || true
  TORCH_BLAS=$(/usr/bin/python3 -c 'import torch, re
maps = open("/proc/self/maps").read()
print(" ".join(sorted(set(re.findall(r"/\S*(?:blas|openblas)\S*\.so\S*", maps)))) or "(none found)")')
  TORCH_VERSION=$(/usr/bin/python3 -c 'import torch; print(torch.__version__)')
  export TORCH_BLAS TORCH_VERSION
}
