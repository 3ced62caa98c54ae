#include "pgdeploy/app.hpp"

int main(int argc, char** argv) { return pgdeploy::run(argc, argv); }
