// The CBLAS interface of OpenBLAS. pkg-config (`openblas`) supplies the include path, which is
// /usr/include/<multiarch>/openblas-pthread on Debian for both amd64 and arm64.
#ifndef TRIBUTARY_COPENBLAS_SHIM_H
#define TRIBUTARY_COPENBLAS_SHIM_H
#include <cblas.h>
#endif
