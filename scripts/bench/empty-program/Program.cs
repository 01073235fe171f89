// Nothing: what a published .NET executable costs to start and exit.
return 0;
